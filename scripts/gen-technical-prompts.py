#!/usr/bin/env python3
"""Writes data/technical-prompts.jsonl: developer prompts (stack traces, logs, configs, diffs, SQL,
docker/k8s and cloud CLI output, Chinese developer questions) full of software identifiers, some with
personal data planted in them. Rows: {id, text, spans:[{type,start,end}]} with offsets in Unicode
scalars; the spans are the planted personal data only, so every other personal-data finding is false.

Planted values are written ⟦TYPE|value⟧ in the templates below. Deterministic (seeded): re-running
gives the same file. Usage: python3 scripts/gen-technical-prompts.py > data/technical-prompts.jsonl
"""
import json
import random
import re

R = random.Random(20261204)


def hexs(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def uuid():
    return f"{hexs(8)}-{hexs(4)}-4{hexs(3)}-a{hexs(3)}-{hexs(12)}"


def alnum(n):
    return "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def epoch():
    return str(R.randint(1_500_000_000, 1_800_000_000))


def ver():
    return f"{R.randint(0, 9)}.{R.randint(0, 40)}.{R.randint(0, 99)}"


def ts():
    return f"2025-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999):03d}Z"


def ip_private():
    return f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"


EMAILS = ["jane.doe@example.com", "m.keller@acme-corp.de", "wang.fang@163.com", "ops-oncall@contoso.io", "r.silva@empresa.com.br"]
PHONES = ["+1 415-555-0173", "(212) 555-0148", "+44 20 7946 0958", "+49 30 901820", "+1-646-555-0199"]
CN_MOBILES = ["13812345678", "15921874530", "18601235567", "13700001234"]
NAMES = ["Jane Doe", "Markus Keller", "Priya Raman", "Tom Hanley", "Olga Petrova"]
PASSWORDS = ["Sup3r-Secret!", "hunter2hunter2", "P@ssw0rd2024", "tr0ub4dor&3"]

templates = []


def T(f):
    templates.append(f)
    return f


# --- Python tracebacks
@T
def py_trace():
    rid = uuid()
    return f"""Why does this fail? request id {rid}
Traceback (most recent call last):
  File "/srv/app/handlers/orders.py", line {R.randint(10, 400)}, in create_order
    order = Order.objects.get(pk={R.randint(1000, 99999)})
  File "/usr/lib/python3.11/site-packages/django/db/models/query.py", line 650, in get
    raise self.model.DoesNotExist(
KeyError: 'customer_id'
"""


@T
def py_trace_email():
    return f"""Traceback (most recent call last):
  File "/home/ci/build/{hexs(7)}/tests/test_mail.py", line 88, in test_send
    smtp.sendmail("⟦EMAIL_ADDRESS|noreply@ourapp.dev⟧", "⟦EMAIL_ADDRESS|{R.choice(EMAILS)}⟧", msg)
  File "/usr/lib/python3.12/smtplib.py", line 887, in sendmail
smtplib.SMTPRecipientsRefused: {{'x': (550, b'5.1.1 User unknown')}}
Benchmark took 0.{R.randint(100, 999)}s on commit {hexs(40)}"""


@T
def java_trace():
    return f"""Exception in thread "main" java.lang.NullPointerException: Cannot invoke "String.length()" because "name" is null
	at com.acme.billing.InvoiceService.render(InvoiceService.java:{R.randint(10, 900)})
	at com.acme.billing.InvoiceController.get(InvoiceController.java:{R.randint(10, 300)})
	at java.base/java.lang.Thread.run(Thread.java:1583)
Caused by: java.io.IOException: stream closed, trace={hexs(32)} span={hexs(16)}
invoice INV-{R.randint(2019, 2025)}-{R.randint(100000, 999999)} build #{R.randint(1000, 9999)}"""


@T
def go_panic():
    return f"""panic: runtime error: index out of range [5] with length 5

goroutine {R.randint(1, 500)} [running]:
main.(*Server).handle(0xc000{hexs(6)}, {{0x7f3a{hexs(8)}, 0x{hexs(6)}}})
	/home/dev/go/src/github.com/acme/api/server.go:{R.randint(10, 400)} +0x{hexs(3)}
net/http.HandlerFunc.ServeHTTP(0x{hexs(6)}, {{0xa1b2c3, 0xc0001a2000}}, 0xc000{hexs(6)})
exit status 2"""


@T
def node_err():
    return f"""node:internal/process/promises:289
            triggerUncaughtException(err, true /* fromPromise */);
            ^
Error: connect ECONNREFUSED 127.0.0.1:{R.choice([5432, 6379, 27017, 8080, 3306])}
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {{
  errno: -111,
  code: 'ECONNREFUSED',
  syscall: 'connect',
  address: '127.0.0.1',
  port: 5432
}}
Node.js v{ver()}"""


@T
def rust_err():
    return f"""error[E0502]: cannot borrow `v` as mutable because it is also borrowed as immutable
  --> src/main.rs:{R.randint(2, 90)}:{R.randint(2, 30)}
   |
{R.randint(2, 9)}  |     let first = &v[0];
   |                  - immutable borrow occurs here
For more information about this error, try `rustc --explain E0502`.
warning: build failed, waiting for other jobs to finish... rustc {ver()} ({hexs(9)} 2025-0{R.randint(1, 9)}-1{R.randint(0, 9)})"""


@T
def csharp_err():
    return f"""System.InvalidOperationException: Sequence contains no elements
   at System.Linq.ThrowHelper.ThrowNoElementsException()
   at Contoso.Orders.Api.Controllers.OrdersController.Get(Guid id) in C:\\src\\Orders\\OrdersController.cs:line {R.randint(10, 300)}
   CorrelationId: {uuid()}  Timestamp: {ts()}"""


# --- logs
@T
def nginx_log():
    return f"""{ip_private()} - - [12/Mar/2025:10:{R.randint(10, 59)}:{R.randint(10, 59)} +0000] "GET /api/v2/orders/{R.randint(100000, 999999)}?page=2 HTTP/1.1" 502 {R.randint(100, 9000)} "-" "Mozilla/5.0 (X11; Linux x86_64)" rt=0.{R.randint(100, 999)} upstream=10.0.3.7:8080
why 502 only on this route?"""


@T
def json_log():
    return f"""{{"level":"error","ts":{epoch()}.{R.randint(100000, 999999)},"caller":"worker/queue.go:{R.randint(10, 300)}","msg":"job failed","job_id":"{uuid()}","attempt":3,"trace_id":"{hexs(32)}","duration_ms":{R.randint(10, 90000)}}}"""


@T
def support_log_phone():
    return f"""[{ts()}] INFO ticket #{R.randint(10000, 99999)} opened via web, session={alnum(24)}
[{ts()}] INFO customer callback requested, phone: ⟦PHONE_NUMBER|{R.choice(PHONES)}⟧
[{ts()}] WARN retry 2/5 for job {uuid()}"""


@T
def syslog():
    return f"""Mar 12 10:{R.randint(10, 59)}:{R.randint(10, 59)} web-{R.randint(1, 9)} kernel: [{R.randint(1000, 99999)}.{R.randint(100000, 999999)}] Out of memory: Killed process {R.randint(1000, 65000)} (java) total-vm:{R.randint(1000000, 9999999)}kB, anon-rss:{R.randint(100000, 999999)}kB
Mar 12 10:{R.randint(10, 59)}:{R.randint(10, 59)} web-3 systemd[1]: app.service: Main process exited, code=killed, status=9/KILL"""


@T
def k8s_events():
    return f"""$ kubectl get pods -n payments
NAME                              READY   STATUS             RESTARTS   AGE
api-{hexs(10)}-{alnum(5).lower()}          1/1     Running            0          3d4h
worker-{hexs(9)}-{alnum(5).lower()}        0/1     CrashLoopBackOff   {R.randint(5, 40)}         47m
$ kubectl describe pod worker-{hexs(9)}
  Container ID:  containerd://{hexs(64)}
  Image ID:      registry.acme.io/worker@sha256:{hexs(64)}
  Last State:    Terminated, Reason: OOMKilled, Exit Code: 137"""


@T
def docker_ps():
    return f"""$ docker ps
CONTAINER ID   IMAGE                 COMMAND                  CREATED        STATUS                 PORTS                    NAMES
{hexs(12)}   postgres:{R.randint(12, 16)}.{R.randint(1, 5)}   "docker-entrypoint.s…"   2 hours ago    Up 2 hours             0.0.0.0:5432->5432/tcp   db
{hexs(12)}   redis:7-alpine        "redis-server"           2 hours ago    Up 2 hours (healthy)   6379/tcp                 cache
$ docker pull nginx@sha256:{hexs(64)}"""


@T
def docker_build():
    return f"""#8 [build 4/7] RUN npm ci --omit=dev
#8 sha256:{hexs(64)}
#8 {R.randint(10, 99)}.{R.randint(100, 999)} npm ERR! code ERESOLVE
#9 ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1
writing image sha256:{hexs(64)} done"""


@T
def aws_cli():
    return f"""$ aws ec2 describe-instances --instance-ids i-0{hexs(16)}
{{
  "InstanceId": "i-0{hexs(16)}",
  "VpcId": "vpc-0{hexs(16)}",
  "SubnetId": "subnet-0{hexs(16)}",
  "ImageId": "ami-0{hexs(16)}",
  "SecurityGroups": [{{"GroupId": "sg-0{hexs(16)}"}}],
  "IamInstanceProfile": {{"Arn": "arn:aws:iam::{R.randint(100000000000, 999999999999)}:instance-profile/web-role"}},
  "LaunchTime": "{ts()}"
}}"""


@T
def aws_error():
    return f"""An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:sts::{R.randint(100000000000, 999999999999)}:assumed-role/ci-deployer/{R.randint(1000000000, 9999999999)} is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::acme-artifacts/builds/{hexs(40)}.tar.gz
Request ID: {alnum(16).upper()}, Extended Request ID: {alnum(40)}"""


@T
def gcloud():
    return f"""$ gcloud compute instances list
NAME         ZONE           MACHINE_TYPE   INTERNAL_IP   EXTERNAL_IP   STATUS
web-{R.randint(1, 9)}        europe-west1-b e2-medium      10.132.0.{R.randint(2, 200)}   -             RUNNING
operation: operation-{epoch()}{R.randint(100, 999)}-{hexs(13)}-{hexs(8)}-{hexs(8)}"""


@T
def azure():
    return f"""/subscriptions/{uuid()}/resourceGroups/rg-prod-weu/providers/Microsoft.Web/sites/acme-api
"principalId": "{uuid()}", "tenantId": "{uuid()}", "clientId": "{uuid()}" """


@T
def stripe():
    return f"""Stripe webhook failed for {{"id": "evt_{alnum(24)}", "type": "payment_intent.succeeded", "data": {{"object": {{"id": "pi_{alnum(24)}", "customer": "cus_{alnum(14)}", "latest_charge": "ch_{alnum(24)}", "amount": {R.randint(100, 99999)}, "created": {epoch()}}}}}}}
signature header t={epoch()},v1={hexs(64)}"""


@T
def git_log():
    return f"""$ git log -3 --format='%H %an <%ae> %s'
{hexs(40)} ⟦PERSON|{R.choice(NAMES)}⟧ <⟦EMAIL_ADDRESS|{R.choice(EMAILS)}⟧> fix: retry on 503
{hexs(40)} github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com> chore: bump deps
$ git rev-parse --short HEAD
{hexs(7)}"""


@T
def git_diff():
    return f"""diff --git a/src/config.ts b/src/config.ts
index {hexs(7)}..{hexs(7)} 100644
--- a/src/config.ts
+++ b/src/config.ts
@@ -{R.randint(1, 90)},7 +{R.randint(1, 90)},7 @@ export const config = {{
-  timeoutMs: 3000,
+  timeoutMs: {R.randint(4000, 30000)},
   retries: 3,
-  color: '#{hexs(6)}',
+  color: '#{hexs(3)}',
   region: 'eu-west-1',"""


@T
def sql():
    return f"""EXPLAIN ANALYZE SELECT o.id, o.total_cents, c.email FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.created_at > to_timestamp({epoch()}) AND o.status = 'paid' LIMIT {R.randint(10, 500)};
Limit  (cost=0.{R.randint(10, 99)}..{R.randint(1000, 99999)}.{R.randint(10, 99)} rows=100 width=48) (actual time=0.{R.randint(10, 99)}..{R.randint(10, 999)}.{R.randint(100, 999)} rows=100 loops=1)
Planning Time: 0.{R.randint(100, 999)} ms  Execution Time: {R.randint(10, 999)}.{R.randint(100, 999)} ms"""


@T
def sql_insert_pii():
    return f"""This migration fails with a unique violation, why?
INSERT INTO users (id, email, phone, created_at) VALUES ('{uuid()}', '⟦EMAIL_ADDRESS|{R.choice(EMAILS)}⟧', '⟦PHONE_NUMBER|{R.choice(PHONES)}⟧', '{ts()}');
ERROR:  duplicate key value violates unique constraint "users_pkey" DETAIL:  Key (id)=({uuid()}) already exists."""


@T
def env_config_pw():
    return f"""# .env (staging)
DATABASE_URL=postgres://app@db.internal:5432/app
DB_PASSWORD=⟦PASSWORD|{R.choice(PASSWORDS)}⟧
REDIS_URL=redis://cache:6379/0
BUILD_NUMBER={R.randint(1000, 99999)}
RELEASE=v{ver()}
SENTRY_RELEASE={hexs(40)}
why does the app not connect?"""


@T
def yaml_config():
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  labels: {{app: checkout, version: "{ver()}"}}
spec:
  replicas: {R.randint(2, 12)}
  template:
    spec:
      containers:
        - name: checkout
          image: ghcr.io/acme/checkout:{hexs(7)}
          ports: [{{containerPort: {R.choice([8080, 9090, 3000])}}}]
          resources: {{limits: {{memory: 512Mi, cpu: 500m}}}}"""


@T
def npm_versions():
    return f"""npm WARN deprecated uuid@3.4.0: Please upgrade to version 7 or higher
added {R.randint(100, 1999)} packages, and audited {R.randint(100, 1999)} packages in {R.randint(2, 59)}s
found 3 vulnerabilities (1 moderate, 2 high) in lodash@4.17.{R.randint(1, 20)} and axios@0.{R.randint(18, 27)}.{R.randint(0, 9)}
node v{ver()}, npm {ver()}"""


@T
def maths():
    return f"""Can you check my derivation? Let f(x) = {R.randint(2, 99)}x^3 - {R.randint(100, 999)}x + {R.randint(1000, 9999)}. Then f'(x) = {R.randint(2, 99)}x^2 - {R.randint(100, 999)} and the root near x = {R.randint(1, 9)}.{R.randint(1000, 9999)}.
The matrix [[{R.randint(100, 999)}, {R.randint(100, 999)}], [{R.randint(100, 999)}, {R.randint(1000, 9999)}]] has determinant {R.randint(10000, 99999)}; 0x{hexs(8).upper()} is {R.randint(1000000000, 4294967295)} in decimal."""


@T
def hex_dump():
    return f"""00000000  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00  |.ELF............|
00000010  03 00 3e 00 01 00 00 00  {hexs(2)} {hexs(2)} 00 00 00 00 00 00  |..>.....`.......|
magic 0xCAFEBABE, offset 0x{hexs(8)}, crc32 {R.randint(1000000000, 4294967295)}"""


@T
def references():
    return f"""References: ISBN 978-0-{R.randint(100, 999)}-{R.randint(10000, 99999)}-{R.randint(0, 9)}, doi:10.{R.randint(1000, 9999)}/{alnum(6).lower()}.{R.randint(1000, 9999)}, arXiv:{R.randint(1901, 2512)}.{R.randint(10000, 99999)}v2, RFC {R.randint(1000, 9999)}, CVE-2024-{R.randint(1000, 49999)}.
Can you summarise the approach of the paper?"""


@T
def paths_lines():
    return f"""The linter says:
src/components/UserTable.tsx:{R.randint(10, 900)}:{R.randint(1, 80)}  error  'data' is possibly 'undefined'  @typescript-eslint/no-unsafe-member-access
/Users/dev/work/acme/api/internal/store/pg.go:{R.randint(10, 900)}:{R.randint(1, 80)}: undefined: pgx.Conn
C:\\Users\\build\\AppData\\Local\\Temp\\msbuild_{hexs(8)}.tmp(12,5): warning MSB3277"""


@T
def perf_numbers():
    return f"""Benchmark results (ns/op): BenchmarkParse-8   {R.randint(100000, 9999999)}   {R.randint(100, 9999)} ns/op   {R.randint(10, 999)} B/op   {R.randint(1, 99)} allocs/op
BenchmarkEncode-8   {R.randint(100000, 9999999)}   {R.randint(100, 9999)} ns/op
p50 {R.randint(10, 99)}.{R.randint(1, 9)}ms p99 {R.randint(100, 999)}.{R.randint(1, 9)}ms at {R.randint(1000, 9999)} req/s, UTC {ts()}"""


@T
def http_headers():
    return f"""HTTP/1.1 429 Too Many Requests
Date: Wed, 12 Mar 2025 10:{R.randint(10, 59)}:{R.randint(10, 59)} GMT
X-Request-Id: {uuid()}
X-RateLimit-Reset: {epoch()}
ETag: W/"{hexs(16)}"
Retry-After: {R.randint(10, 600)}
cf-ray: {hexs(16)}-FRA"""


@T
def terraform():
    return f"""# aws_instance.web will be updated in-place
  ~ resource "aws_instance" "web" {{
        id                     = "i-0{hexs(16)}"
      ~ instance_type          = "t3.micro" -> "t3.small"
        subnet_id              = "subnet-{hexs(17)}"
        vpc_security_group_ids = ["sg-{hexs(17)}"]
        arn                    = "arn:aws:ec2:eu-central-1:{R.randint(100000000000, 999999999999)}:instance/i-0{hexs(16)}"
    }}
Plan: 0 to add, 1 to change, 0 to destroy."""


@T
def ci_log():
    return f"""Run actions/checkout@v4
Syncing repository: acme/payments
HEAD is now at {hexs(7)} Merge pull request #{R.randint(100, 9999)} from acme/feature/retry
Run ./gradlew build --build-cache
BUILD FAILED in {R.randint(1, 9)}m {R.randint(1, 59)}s, build scan: https://gradle.com/s/{alnum(13).lower()}
Job id {R.randint(10000000000, 99999999999)}, run {R.randint(1000000000, 9999999999)} attempt 2"""


@T
def crash_with_user():
    return f"""Crash report from user ⟦EMAIL_ADDRESS|{R.choice(EMAILS)}⟧ on app version {ver()} (build {R.randint(1000, 99999)}):
Fatal Exception: java.lang.IllegalStateException at com.acme.app.MainActivity.onCreate(MainActivity.kt:{R.randint(10, 300)})
Device id {uuid()}, OS build RQ3A.{R.randint(200000, 219999)}.{R.randint(1, 9)}"""


@T
def redis_mongo():
    return f"""MongoServerError: E11000 duplicate key error collection: shop.carts index: _id_ dup key: {{ _id: ObjectId('{hexs(24)}') }}
redis> GET session:{hexs(32)}
"{{\\"uid\\":{R.randint(100000, 9999999)},\\"exp\\":{epoch()}}}" """


@T
def cron_schedule():
    return f"""*/5 * * * * /opt/jobs/sync.sh >> /var/log/sync.log 2>&1
0 3 * * 1-5 /usr/bin/pg_dump -Fc app > /backups/app-$(date +\\%Y\\%m\\%d).dump
The job ran at {epoch()} and again at {epoch()} — why twice?"""


@T
def colors_css():
    return f""".button {{ color: #{hexs(6)}; background: #{hexs(3)}; border: 1px solid rgba({R.randint(0, 255)}, {R.randint(0, 255)}, {R.randint(0, 255)}, 0.{R.randint(1, 9)}); z-index: {R.randint(100, 9999)}; }}
@media (max-width: {R.randint(400, 1400)}px) {{ .grid {{ grid-template-columns: repeat({R.randint(2, 6)}, 1fr); }} }}"""


@T
def zh_question_log():
    return f"""请帮我看看这个报错是什么原因，谢谢！
[{ts()}] ERROR [main] c.a.o.s.OrderService - 订单 {R.randint(100000000000, 999999999999)} 支付回调失败, traceId={hexs(32)}
java.net.SocketTimeoutException: Read timed out (端口 {R.choice([8080, 443, 9092])})"""


@T
def zh_question_phone():
    return f"""用户反馈收不到验证码，日志如下：
{ts()} INFO  SmsSender - send code to ⟦PHONE_NUMBER|{R.choice(CN_MOBILES)}⟧ result=FAIL errCode=isv.BUSINESS_LIMIT_CONTROL requestId={uuid()}
请问阿里云短信是不是有频率限制？"""


@T
def zh_question_k8s():
    return f"""我们的服务在 k8s 上一直重启，kubectl describe 显示 Exit Code 137，镜像是 registry.cn-hangzhou.aliyuncs.com/acme/api:v{ver()}，
节点 cn-hangzhou.10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}，Pod UID {uuid()}。是内存不够吗？"""


@T
def zh_question_git():
    return f"""git 提交 {hexs(40)} 之后 CI 就挂了，构建号 #{R.randint(1000, 9999)}，错误在 src/main/java/com/acme/App.java 第 {R.randint(10, 400)} 行。怎么回滚到 {hexs(7)}？"""


@T
def zh_question_sql():
    return f"""这条 SQL 为什么这么慢？SELECT * FROM t_order WHERE user_id = {R.randint(10000000, 99999999)} AND create_time > {epoch()}000 ORDER BY id DESC LIMIT 20; 执行计划显示 rows={R.randint(100000, 9999999)}，表里有 {R.randint(1000000, 99999999)} 行。"""


@T
def zh_config_pw():
    return f"""我的 application.yml 配置如下，连不上数据库：
spring:
  datasource:
    url: jdbc:mysql://10.0.{R.randint(0, 255)}.{R.randint(1, 254)}:3306/shop?useSSL=false&serverTimezone=Asia/Shanghai
    username: shop_app
    password: ⟦PASSWORD|{R.choice(PASSWORDS)}⟧
  redis:
    port: 6379
    timeout: {R.randint(1000, 9999)}ms"""


@T
def zh_question_contact():
    return f"""线上出现 NullPointerException，版本 {ver()}，commit {hexs(12)}。有问题请联系 ⟦PERSON|{R.choice(["张伟", "李娜", "王芳", "陈静"])}⟧，手机 ⟦PHONE_NUMBER|{R.choice(CN_MOBILES)}⟧，邮箱 ⟦EMAIL_ADDRESS|{R.choice(EMAILS)}⟧。"""


@T
def zh_docker():
    return f"""docker pull 一直失败：Error response from daemon: manifest for acme/api@sha256:{hexs(64)} not found，镜像 ID {hexs(12)}，时间戳 {epoch()}。"""


@T
def zh_stack_python():
    return f"""运行下面的脚本报错 KeyError，为什么？
Traceback (most recent call last):
  File "/data/jobs/etl_{R.randint(2020, 2025)}{R.randint(10, 12)}{R.randint(10, 28)}.py", line {R.randint(10, 300)}, in <module>
    row["user_id"]
KeyError: 'user_id'
数据行号 {R.randint(1000, 99999)}，批次 {uuid()}"""


@T
def pip_freeze():
    return f"""numpy=={R.randint(1, 2)}.{R.randint(10, 26)}.{R.randint(0, 9)}
pandas=={R.randint(1, 2)}.{R.randint(0, 3)}.{R.randint(0, 9)}
torch=={R.randint(1, 2)}.{R.randint(0, 5)}.{R.randint(0, 3)}+cu{R.randint(110, 124)}
scikit-learn==1.{R.randint(0, 6)}.{R.randint(0, 3)}
After upgrading, import fails with ImportError: numpy.core.multiarray failed to import"""


@T
def windows_event():
    return f"""Faulting application name: app.exe, version: {R.randint(1, 9)}.{R.randint(0, 9)}.{R.randint(1000, 9999)}.{R.randint(0, 999)}, time stamp: 0x{hexs(8)}
Faulting module name: ntdll.dll, version: 10.0.{R.randint(10000, 22631)}.{R.randint(100, 4000)}, time stamp: 0x{hexs(8)}
Exception code: 0xc0000005  Fault offset: 0x00000000000{hexs(5)}  Faulting process id: 0x{hexs(4)}
Report Id: {uuid()}"""


@T
def support_mail():
    return f"""Customer ⟦PERSON|{R.choice(NAMES)}⟧ (⟦EMAIL_ADDRESS|{R.choice(EMAILS)}⟧, ⟦PHONE_NUMBER|{R.choice(PHONES)}⟧) reports that order {R.randint(10000000, 99999999)} shows status 500 since release {ver()}; request id {uuid()}.
Can you draft a reply and a bug report?"""


def render(template):
    raw = template()
    text, spans = "", []
    pos = 0
    for m in re.finditer(r"⟦([A-Z_]+)\|(.*?)⟧", raw, flags=re.S):
        text += raw[pos:m.start()]
        start = len(text)
        text += m.group(2)
        spans.append({"type": m.group(1), "start": start, "end": len(text)})
        pos = m.end()
    text += raw[pos:]
    return text, spans


rows = []
rounds = 3
for r in range(rounds):
    for k, template in enumerate(templates):
        text, spans = render(template)
        rows.append({"id": f"technical/{template.__name__}/{r}", "text": text, "spans": spans})
for row in rows:
    print(json.dumps(row, ensure_ascii=False))
