# sync_fixture.py — the generated primary of the sync benchmarks (bench-sync.sh, bench-wan.sh):
# N SQL logins (each a member of one of 10 server roles) and J Agent jobs with 5 steps and
# 2 schedules each; writes WORK/primary.json, WORK/empty.json (an empty secondary) and
# WORK/hashes.json (login -> password hash, for the isql baseline's script).
#   python3 scripts/lib/sync_fixture.py N J WORK
import hashlib, json, sys
n, jobs, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
roles = [{"name": "bench_role_%02d" % r, "members": []} for r in range(10)]
logins, hashes = [], {}
for i in range(n):
    name = "bench_login_%06d" % i
    h = hashlib.sha512(b"bench%d" % i).hexdigest()
    hashes[name] = "0x0200" + h[:8].upper() + h.upper()
    logins.append({"name": name, "sid": "0x" + hashlib.md5(b"sid%d" % i).hexdigest(),
                   "password_hash": hashes[name], "check_policy": False})
    roles[i % 10]["members"].append(name)
schedules, js = [], []
for j in range(jobs):
    uids = []
    for k in range(2):
        d = hashlib.md5(b"sched%d-%d" % (j, k)).hexdigest().upper()
        uid = "%s-%s-%s-%s-%s" % (d[:8], d[8:12], d[12:16], d[16:20], d[20:])
        uids.append(uid)
        schedules.append({"schedule_uid": uid, "name": "bench schedule %d/%d" % (j, k), "freq_type": 4,
                          "freq_interval": 1, "freq_subday_type": 1, "active_start_time": 10000 * k})
    steps = [{"step_name": "step %d" % s, "subsystem": "TSQL", "database_name": "master",
              "command": "SELECT %d;" % s, "on_success_action": 3 if s < 4 else 1} for s in range(5)]
    js.append({"name": "bench job %05d" % j, "steps": steps, "schedules": uids, "servers": ["(local)"]})
json.dump({"version": 1, "description": "bench-sync.sh primary", "server_roles": roles, "logins": logins,
           "schedules": schedules, "jobs": js}, open(work + "/primary.json", "w"))
json.dump({"version": 1, "description": "bench-sync.sh secondary"}, open(work + "/empty.json", "w"))
json.dump(hashes, open(work + "/hashes.json", "w"))
