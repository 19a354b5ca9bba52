# What a prompt-injected or simply careless model might write. Every attempt is reported;
# none may succeed.
import os, socket

def attempt(name, fn):
    try:
        result = fn()
        print(f"{name}: SUCCEEDED {result!r:.60}")
    except Exception as e:
        print(f"{name}: blocked ({type(e).__name__}: {e})")

attempt("read /etc/shadow", lambda: open("/etc/shadow").read())
attempt("read /root", lambda: os.listdir("/root"))
attempt("write /usr/bin", lambda: open("/usr/bin/evil", "w").write("x"))
attempt("connect 1.1.1.1:443", lambda: socket.create_connection(("1.1.1.1", 443), timeout=1))
print("processes visible:", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
      "(only the sandbox's own)")
os.system("setsid sleep 1000 &")
print("started a daemon: it dies with the run")
print("now eating all memory...", flush=True)
hog = []
while True:
    hog.append(bytearray(16 << 20))
