#!/bin/bash
# sums impressions per campaign_id/ad_id (input sorted by key)
awk -F'\t' '{ k = $1 "\t" $2; if (k != prev && prev != "") { print prev "\t" n; n = 0 } prev = k; n += $3 } END { if (prev != "") print prev "\t" n }'
