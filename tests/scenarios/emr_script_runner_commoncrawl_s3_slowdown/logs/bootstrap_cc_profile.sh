#!/bin/bash
# Bootstrap action: AWS CLI profile for reading the Common Crawl public bucket (see status.commoncrawl.org).
set -euo pipefail
mkdir -p /home/hadoop/.aws
cat >> /home/hadoop/.aws/config <<'CFG'
[profile cc]
region = us-east-1
retry_mode = adaptive
max_attempts = 100000
s3 =
  addressing_style = virtual
  payload_signing_enabled = false
  max_concurrent_requests = 2
CFG
chown -R hadoop:hadoop /home/hadoop/.aws
