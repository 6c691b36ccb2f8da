#!/bin/bash
# emits campaign_id<TAB>ad_id<TAB>1 for every impression line (tab-separated ad server log)
awk -F'\t' 'NF >= 9 && $4 == "impression" { print $6 "\t" $7 "\t1" }'
