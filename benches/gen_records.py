#!/usr/bin/env python3
"""Write N generated rows of a record source for the streaming benchmarks.

    python3 benches/gen_records.py complaints|survey|sessions|agent-states N OUT.csv

agent-states also writes OUT.csv.schedule.csv: the schedule of its agents
(phones, lunch, phones, break each day).

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
    elif kind == 'agent-states':
        # 2,000 agents, each a run of back-to-back states through the days.
        w('agent,state,start,end\n')
        agents = 2000
        per = n // agents + 1
        states = ['talk', 'acw', 'available', 'hold', 'break', '通话', '空闲', 'training']
        days = set()
        written = 0
        for a in range(agents):
            t = start + timedelta(hours=8)
            for _ in range(per):
                if written == n:
                    break
                d = timedelta(seconds=rng.randrange(20, 900))
                if t.hour >= 18:
                    t = datetime(t.year, t.month, t.day, 8) + timedelta(days=1)
                days.add(t.date())
                w(f"A{a:04d},{rng.choice(states)},{t:%Y-%m-%d %H:%M:%S},{t + d:%Y-%m-%d %H:%M:%S}\n")
                t += d
                written += 1
        with open(out + '.schedule.csv', 'w', encoding='utf-8', newline='') as s:
            s.write('agent,activity,start,end\n')
            for a in range(agents):
                for day in sorted(days):
                    t = datetime(day.year, day.month, day.day, 8)
                    for act, mins in [('phone', 240), ('lunch', 60), ('phone', 225), ('break', 15)]:
                        s.write(f"A{a:04d},{act},{t:%Y-%m-%d %H:%M:%S},{t + timedelta(minutes=mins):%Y-%m-%d %H:%M:%S}\n")
                        t += timedelta(minutes=mins)
    else:
        sys.exit(f'unknown source {kind}: complaints, survey, sessions or agent-states')
