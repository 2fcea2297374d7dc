#!/usr/bin/env python3
"""Write N generated rows of a record source for the streaming benchmarks.

    python3 benches/gen_records.py complaints|survey|sessions N OUT.csv

Plain Python (no packages), deterministic (seeded), in the generic layouts
the README documents. The figures are not checked here: tests/sources.rs
and tests/complaints.rs compare each source with an independent tool.
"""
import random
import sys
from datetime import datetime, timedelta

kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(2026)
start = datetime(2026, 1, 1)
CH = ['电话', '手机银行', '在线客服', '网点', '信函']
with open(out, 'w', encoding='utf-8', newline='') as f:
    w = f.write
    if kind == 'complaints':
        w('received,channel,category,closed,extension,handler,id\n')
        for i in range(n):
            d = start + timedelta(days=rng.randrange(330))
            c = '' if rng.random() < 0.03 else (d + timedelta(days=rng.randrange(40))).strftime('%Y-%m-%d')
            ext = '延期' if rng.random() < 0.1 else ''
            w(f"{d:%Y-%m-%d},{rng.choice(CH)},信用卡,{c},{ext},h{i % 97},C{i}\n")
    elif kind == 'survey':
        w('contact,channel,time,score\n')
        for i in range(n):
            t = start + timedelta(seconds=rng.randrange(330 * 86400))
            w(f"c{i},{rng.choice(CH)},{t:%Y-%m-%d %H:%M:%S},{rng.choice('1234555554')}\n")
    elif kind == 'sessions':
        w('id,channel,created,first_reply,closed,abandoned\n')
        for i in range(n):
            t = start + timedelta(seconds=rng.randrange(330 * 86400))
            if rng.random() < 0.05:
                w(f"s{i},在线客服,{t:%Y-%m-%d %H:%M:%S},,{t + timedelta(seconds=40):%Y-%m-%d %H:%M:%S},yes\n")
                continue
            r = t + timedelta(seconds=int(rng.expovariate(1 / 40)))
            c = r + timedelta(seconds=int(rng.expovariate(1 / 30000)))
            w(f"s{i},{rng.choice(CH)},{t:%Y-%m-%d %H:%M:%S},{r:%Y-%m-%d %H:%M:%S},{c:%Y-%m-%d %H:%M:%S},\n")
    else:
        sys.exit(f'unknown source {kind}: complaints, survey or sessions')
