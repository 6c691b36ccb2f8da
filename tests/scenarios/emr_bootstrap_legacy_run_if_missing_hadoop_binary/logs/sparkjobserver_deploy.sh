#!/bin/bash
# Installs spark-jobserver on the master node. Invoked through run-if (instance.isMaster=true).
set -euo pipefail
JOBSERVER_VERSION=0.6.2
aws s3 cp s3://acme-analytics-deploy-usw2/artifacts/spark-jobserver/job-server-${JOBSERVER_VERSION}.tar.gz /tmp/
sudo mkdir -p /mnt/lib/spark-jobserver
sudo tar -xzf /tmp/job-server-${JOBSERVER_VERSION}.tar.gz -C /mnt/lib/spark-jobserver
sudo cp /mnt/lib/spark-jobserver/config/emr.conf /mnt/lib/spark-jobserver/config/local.conf
echo "spark-jobserver ${JOBSERVER_VERSION} installed"
