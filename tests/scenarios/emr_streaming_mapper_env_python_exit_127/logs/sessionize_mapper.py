#!/usr/bin/env python
"""Hadoop streaming mapper: clickstream JSON lines -> user_id<TAB>epoch_ts<TAB>url."""
import json
import sys

for line in sys.stdin:
    try:
        ev = json.loads(line)
    except ValueError:
        sys.stderr.write("reporter:counter:sessionize,bad_json,1\n")
        continue
    print("%s\t%s\t%s" % (ev["user_id"], ev["ts"], ev["url"]))
