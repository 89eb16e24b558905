#!/usr/bin/env python3
"""Soak driver (bench/soak.sh starts the gateway and runs this).

Mixed load on one running qaqpa for --minutes, then a drain:
  sync     SendMessage to the built-in echo                      (--sync-rate/s)
  push     sendMessage to a PUSH service whose recipient (here, on loopback)
           answers 20 % of PUSHes with HTTP 500, so the gateway retries
  pull     sendMessage to a PULL service; a consumer pulls and confirms:
           80 % MESSAGE_ACCEPTED, 10 % NOT_ACCEPTED + RESEND, 10 % left
           unconfirmed until their lease ends and they are offered again
  status   getMessageStatus of messages sent earlier
RSS, open sockets and other open fds of the gateway are sampled every 5 s. At the end it prints
requests by outcome, RSS and fd growth, and messages stuck (not delivered
by the end of the drain) or lost (accepted, never delivered), and exits 1 on
any loss, stuck message, unexpected answer, or growth beyond the bounds.
Standard library only; everything on 127.0.0.1.
"""
import argparse
import collections
import http.client
import http.server
import os
import random
import re
import sys
import threading
import time

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
ASYNC = "http://bip.bee.kz/AsyncChannel/v10/Types"
SYNC = "http://bip.bee.kz/SyncChannel/v10/Types"
HEAD = f'<soapenv:Envelope xmlns:soapenv="{SOAP}" xmlns:asy="{ASYNC}"><soapenv:Header/><soapenv:Body>'
TAIL = "</soapenv:Body></soapenv:Envelope>"
DATE = "2026-12-03T10:00:00.000+05:00"
PAYLOAD = "<doc xmlns=\"urn:soak\">" + "Сәлем, қақпа! " * 100 + "</doc>"  # ~2 KB

lock = threading.Lock()
outcomes = collections.Counter()  # "op outcome" -> count
unexpected = []                   # first few unexpected answers, for the report


def count(op, outcome, detail=""):
    with lock:
        outcomes[f"{op} {outcome}"] += 1
        if outcome not in ("ok",) and len(unexpected) < 20:
            unexpected.append(f"{op} {outcome} {detail[:300]}")


def sender(who, password):
    return f"<sender><senderId>{who}</senderId><password>{password}</password></sender>"


def send_xml(service, n):
    return (HEAD + "<asy:sendMessage><request><messageInfo>"
            f"<serviceId>{service}</serviceId><messageType>REQUEST</messageType><messageDate>{DATE}</messageDate>"
            + sender("sender", "sender-password") +
            f"</messageInfo><messageData><data>{PAYLOAD}<n>{n}</n></data></messageData></request></asy:sendMessage>" + TAIL)


def sync_xml(n):
    return (f'<soapenv:Envelope xmlns:soapenv="{SOAP}" xmlns:typ="{SYNC}"><soapenv:Header/><soapenv:Body>'
            f"<typ:SendMessage><request><requestInfo><messageId>soak-{n}</messageId><serviceId>echo</serviceId>"
            f"<messageDate>{DATE}</messageDate>" + sender("sender", "sender-password") +
            f"</requestInfo><requestData><data>{PAYLOAD}<n>{n}</n></data></requestData></request></typ:SendMessage>" + TAIL)


def pull_xml(amount):
    return (HEAD + f"<asy:getMessages><request><requestDate>{DATE}</requestDate><serviceId>inbox</serviceId>"
            + sender("owner", "owner-password") + f"<amount>{amount}</amount></request></asy:getMessages>" + TAIL)


def confirm_xml(message_id, accepted, resend=False):
    status = "MESSAGE_ACCEPTED" if accepted else "MESSAGE_NOT_ACCTEPTED"
    return (HEAD + "<asy:sendDeliveryNotification><request><notification>"
            f"<messageId>{message_id}</messageId><serviceId>inbox</serviceId><notificationDate>{DATE}</notificationDate>"
            f"<deliveryStatus><receiveStatus>{status}</receiveStatus><statusDate>{DATE}</statusDate>"
            f"<resendMessage>{'RESEND' if resend else 'NOT_RESEND'}</resendMessage></deliveryStatus></notification>"
            f"<requestDate>{DATE}</requestDate>" + sender("owner", "owner-password") +
            "</request></asy:sendDeliveryNotification>" + TAIL)


def status_xml(message_id):
    return (HEAD + f"<asy:getMessageStatus><request><messageId>{message_id}</messageId><requestDate>{DATE}</requestDate>"
            + sender("sender", "sender-password") + "</request></asy:getMessageStatus>" + TAIL)


def field(body, name):
    m = re.search(f"<{name}>([^<]*)</{name}>", body)
    return m.group(1) if m else ""


class client:
    """One keep-alive connection; reconnects when the gateway closes it."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def post(self, path, body):
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request("POST", path, body.encode(), {"Content-Type": "text/xml; charset=utf-8"})
                res = self.conn.getresponse()
                return res.status, res.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn = None  # a keep-alive connection the gateway closed while idle: once more
                if attempt == 2:
                    raise


def paced(rate, stop, step):
    """Calls step(i) about `rate` times a second until stop is set."""
    i, start = 0, time.monotonic()
    while not stop.is_set():
        step(i)
        i += 1
        ahead = start + i / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)


class recipient(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delivered = collections.Counter()  # messageId -> successful deliveries
    attempts = 0
    fail_fraction = 0.2

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        message_id = field(body, "messageId")
        with lock:
            recipient.attempts += 1
            fail = random.random() < recipient.fail_fraction
            if not fail:
                recipient.delivered[message_id] += 1
        if fail:
            answer, status = b"refused for the soak", 500
        else:
            answer = (f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>'
                      f'<ns2:sendMessageResponse xmlns:ns2="{ASYNC}"/></soapenv:Body></soapenv:Envelope>').encode()
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def sample(pid):
    """RSS in MB, open sockets, other open fds (RocksDB keeps its files open:
    they grow with the data, which is kept; sockets must not)."""
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    sockets = files = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            sockets += 1
        else:
            files += 1
    return rss // 1024, sockets, files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--sync-rate", type=float, default=150)
    ap.add_argument("--push-rate", type=float, default=60)
    ap.add_argument("--pull-rate", type=float, default=60)
    ap.add_argument("--status-rate", type=float, default=20)
    ap.add_argument("--drain-s", type=float, default=180)
    ap.add_argument("--max-rss-growth-mb", type=float, default=64)
    ap.add_argument("--max-fd-growth", type=int, default=32, help="open sockets")
    ap.add_argument("--recipient-port-file", required=True)
    args = ap.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), recipient)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(args.recipient_port_file, "w") as f:
        f.write(str(server.server_address[1]))
    # soak.sh writes the config with this port and starts the gateway; it
    # tells us its pid and port through the arguments and waits for the file.
    while not os.path.exists(args.recipient_port_file + ".go"):
        time.sleep(0.05)
    with open(args.recipient_port_file + ".go") as f:
        port, pid = (int(x) for x in f.read().split())
    args.port, args.pid = port, pid

    stop = threading.Event()
    done = threading.Event()  # the drain is over
    pushed, pulled_sent, confirmed = [], [], collections.Counter()
    samples = []

    def sync_step(i, c=client(port)):
        status, body = c.post("/bip-sync/", sync_xml(i))
        count("sync", "ok" if status == 200 and f"<n>{i}</n>" in body else f"HTTP {status} {field(body, 'errorCode')}", body)

    def send_step(service, into):
        c = client(port)

        def step(i):
            status, body = c.post("/bip-async/", send_xml(service, i))
            if status == 200:
                with lock:
                    into.append(field(body, "messageId"))
                count(service, "ok")
            else:
                count(service, f"HTTP {status} {field(body, 'errorCode')}", body)
        return step

    def consumer():
        c = client(port)
        while not done.is_set() and (not stop.is_set() or not drained()):
            status, body = c.post("/bip-async/", pull_xml(50))
            if status != 200:
                count("getMessages", f"HTTP {status} {field(body, 'errorCode')}", body)
                time.sleep(0.2)
                continue
            count("getMessages", "ok")
            ids = re.findall(r"<messageId>([^<]*)</messageId>", body)
            for mid in ids:
                r = random.random()
                if r < 0.1:
                    continue  # left unconfirmed: offered again when its lease ends
                accepted = r >= 0.2
                status, answer = c.post("/bip-async/", confirm_xml(mid, accepted, resend=not accepted))
                if status == 200:
                    count("confirm", "ok")
                    if accepted:
                        with lock:
                            confirmed[mid] += 1
                else:
                    count("confirm", f"HTTP {status} {field(answer, 'errorCode')}", answer)
            if not ids:
                time.sleep(0.1)

    def status_step(i, c=client(port)):
        with lock:
            pool = pushed + pulled_sent
            mid = random.choice(pool) if pool else None
        if mid is None:
            return
        status, body = c.post("/bip-async/", status_xml(mid))
        count("status", "ok" if status == 200 and field(body, "messageState") else f"HTTP {status} {field(body, 'errorCode')}", body)

    def drained():
        with lock:
            return all(confirmed[m] > 0 for m in pulled_sent)

    def sampler():
        while not stop.is_set():
            samples.append((time.monotonic(),) + sample(pid))
            stop.wait(5)

    loads = [
        threading.Thread(target=paced, args=(args.sync_rate, stop, sync_step)),
        threading.Thread(target=paced, args=(args.push_rate, stop, send_step("push-svc", pushed))),
        threading.Thread(target=paced, args=(args.pull_rate, stop, send_step("inbox", pulled_sent))),
        threading.Thread(target=paced, args=(args.status_rate, stop, status_step)),
    ]
    consumer_thread = threading.Thread(target=consumer, daemon=True)
    sampler_thread = threading.Thread(target=sampler)
    started = time.monotonic()
    for t in loads + [sampler_thread, consumer_thread]:
        t.start()
    print(f"soak: {args.minutes} min of mixed load on 127.0.0.1:{port} (gateway pid {pid})", flush=True)
    deadline = started + args.minutes * 60
    while time.monotonic() < deadline:
        time.sleep(min(30, max(0.1, deadline - time.monotonic())))
        rss, sockets, files = sample(pid)
        with lock:
            total = sum(outcomes.values())
        print(f"  {time.monotonic() - started:6.0f} s: {total} requests, RSS {rss} MB, {sockets} sockets, "
              f"{files} other fds", flush=True)
    stop.set()
    for t in loads:
        t.join()
    end_rss, end_sockets, end_files = sample(pid)
    sampler_thread.join()

    # Drain: every accepted message delivered (PUSH) or confirmed (PULL).
    until = time.monotonic() + args.drain_s
    def undelivered():
        with lock:
            return [m for m in pushed if recipient.delivered[m] == 0], [m for m in pulled_sent if confirmed[m] == 0]
    while time.monotonic() < until and any(undelivered()):
        time.sleep(0.5)
    drain_s = args.drain_s - max(0, until - time.monotonic())
    done.set()
    consumer_thread.join(timeout=60)
    server.shutdown()

    push_left, pull_left = undelivered()
    duplicates = sum(1 for m in pushed if recipient.delivered[m] > 1) + sum(1 for m in pulled_sent if confirmed[m] > 1)
    warm = [s for s in samples if s[0] - started >= min(60, args.minutes * 60 / 5)] or samples
    base_rss, base_sockets, base_files = warm[0][1], warm[0][2], warm[0][3]
    peak_rss = max(s[1] for s in samples)
    rss_growth, fd_growth = end_rss - base_rss, end_sockets - base_sockets
    errors = {k: v for k, v in outcomes.items() if not k.endswith(" ok")}

    print("requests by outcome:")
    for k in sorted(outcomes):
        print(f"  {k:40s} {outcomes[k]}")
    print(f"PUSH: {len(pushed)} accepted, {recipient.attempts} attempts at the recipient "
          f"({recipient.attempts - sum(recipient.delivered.values())} refused with HTTP 500), "
          f"{len(pushed) - len(push_left)} delivered")
    print(f"PULL: {len(pulled_sent)} accepted, {len(pulled_sent) - len(pull_left)} confirmed")
    print(f"drain: {drain_s:.0f} s; stuck {len(push_left) + len(pull_left)}, duplicates {duplicates}")
    print(f"RSS: {base_rss} MB after warm-up, {end_rss} MB at the end (peak {peak_rss}); growth {rss_growth} MB "
          f"(bound {args.max_rss_growth_mb})")
    print(f"sockets: {base_sockets} after warm-up, {end_sockets} at the end; growth {fd_growth} "
          f"(bound {args.max_fd_growth}); other fds (store files) {base_files} -> {end_files}")
    failed = []
    if errors:
        failed.append(f"{sum(errors.values())} unexpected answers: " + "; ".join(unexpected[:5]))
    if push_left or pull_left:
        failed.append(f"{len(push_left) + len(pull_left)} messages stuck or lost, e.g. {(push_left + pull_left)[:3]}")
    if rss_growth > args.max_rss_growth_mb:
        failed.append(f"RSS grew {rss_growth} MB")
    if fd_growth > args.max_fd_growth:
        failed.append(f"open sockets grew by {fd_growth}")
    if failed:
        print("SOAK FAILED: " + " | ".join(failed))
        return 1
    print("soak passed: nothing lost, nothing stuck, no error, no growth beyond the bounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
