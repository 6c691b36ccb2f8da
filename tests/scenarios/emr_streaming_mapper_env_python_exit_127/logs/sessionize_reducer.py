#!/usr/bin/env python
"""Hadoop streaming reducer: group sorted user_id<TAB>ts<TAB>url into 30-minute sessions."""
import sys

GAP = 30 * 60
cur_user, last_ts, session_no = None, None, 0
for line in sys.stdin:
    user, ts, url = line.rstrip("\n").split("\t", 2)
    ts = int(ts)
    if user != cur_user or ts - last_ts > GAP:
        session_no = session_no + 1 if user == cur_user else 1
    cur_user, last_ts = user, ts
    print("%s\t%d\t%d\t%s" % (user, session_no, ts, url))
