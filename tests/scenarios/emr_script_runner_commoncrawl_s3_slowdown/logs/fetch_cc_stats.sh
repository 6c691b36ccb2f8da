#!/bin/bash
# Stage Common Crawl per-crawl statistics into HDFS for the weekly webgraph stats Spark step.
# usage: fetch_cc_stats.sh CRAWL_ID [CRAWL_ID ...]
set -euo pipefail
mkdir -p stats
for crawl in "$@"; do
  aws s3 cp "s3://commoncrawl/crawl-analysis/${crawl}/stats/part-00000.gz" "stats/${crawl}.gz"
done
hdfs dfs -mkdir -p /data/cc-stats
hdfs dfs -put -f stats/*.gz /data/cc-stats/
echo "staged $# crawl stats files"
