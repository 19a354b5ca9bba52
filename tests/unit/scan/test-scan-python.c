/* The Python rules: each rule's example, positive and negative cases per rule (the negative ones
 * are the false positives a data-analysis script would hit), obfuscations, scopes, payloads,
 * loops, hostile input, and the names table. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scan/scan.h"

/* scan-python.c's self-check of its names table (not part of scan.h). */
int scan_python_check_names(void);

static ScanReport scan(const char *src, size_t len)
{
        ScanReport r = {};
        AirlockError err = {};

        cr_assert_eq(scan_buffer("t.py", src, len, SCAN_LANG_PYTHON, &r, &err), 0, "%s",
                     err.message);
        return r;
}

static bool has(const ScanReport *r, const char *id, uint32_t line)
{
        for (size_t i = 0; i < r->n_findings; i++)
                if (strcmp(r->findings[i].rule->id, id) == 0 &&
                    (line == 0 || r->findings[i].line == line))
                        return true;
        return false;
}

/* The findings, one per line, for failure messages. */
static char *dump(const ScanReport *r)
{
        size_t cap = 64 + r->n_findings * 300, used = 0;
        char *s = calloc(1, cap);

        for (size_t i = 0; i < r->n_findings && used < cap; i++)
                used +=
                    snprintf(s + used, cap - used, "\n  %s@%u:%u %s | %s", r->findings[i].rule->id,
                             r->findings[i].line, r->findings[i].column, r->findings[i].reason,
                             r->findings[i].snippet);
        return s;
}

typedef struct Case {
        const char *src;
        const char *id; /* the rule */
        uint32_t line;  /* where it must fire; 0: it must not fire anywhere */
} Case;

static void run_cases(const Case *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                ScanReport r = scan(cases[i].src, strlen(cases[i].src));
                bool want = cases[i].line != 0, got = has(&r, cases[i].id, cases[i].line);
                char *d = dump(&r);

                cr_expect_eq(got, want, "%s %s at line %u in:\n%s\nfound:%s",
                             want ? "expected" : "unexpected", cases[i].id, cases[i].line,
                             cases[i].src, d);
                free(d);
                scan_report_done(&r);
        }
}

/* Nothing at high or critical. */
static void run_quiet(const char *const *srcs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                ScanReport r = scan(srcs[i], strlen(srcs[i]));
                char *d = dump(&r);

                cr_expect_lt(scan_report_max_severity(&r), SCAN_SEV_HIGH, "in:\n%s\nfound:%s",
                             srcs[i], d);
                free(d);
                scan_report_done(&r);
        }
}

#define CASES(...)                                                                                 \
        do {                                                                                       \
                static const Case c_[] = {__VA_ARGS__};                                            \
                run_cases(c_, sizeof(c_) / sizeof(c_[0]));                                         \
        } while (0)

Test(scan_python, names_table_is_sorted_and_found)
{
        cr_expect_eq(scan_python_check_names(), -1);
}

Test(scan_python, rule_table_is_well_formed)
{
        for (size_t i = 0; i < scan_python_rules_count; i++) {
                const ScanRule *r = &scan_python_rules[i];

                cr_expect(r->id && strncmp(r->id, "PY-", 3) == 0, "row %zu", i);
                cr_expect_eq(r->language, SCAN_LANG_PYTHON, "%s", r->id);
                cr_expect(r->description && *r->description, "%s", r->id);
                cr_expect(r->example && *r->example && !strchr(r->example, '\n'), "%s", r->id);
                cr_expect_eq(scan_rule_by_id(r->id), r, "%s: ids are unique", r->id);
        }
}

Test(scan_python, every_example_fires_its_rule_on_line_1)
{
        for (size_t i = 0; i < scan_python_rules_count; i++) {
                const ScanRule *rule = &scan_python_rules[i];
                ScanReport r = scan(rule->example, strlen(rule->example));
                char *d = dump(&r);

                cr_expect(has(&r, rule->id, 1), "%s: %s\nfound:%s", rule->id, rule->example, d);
                free(d);
                scan_report_done(&r);
        }
}

Test(scan_python, process_execution)
{
        CASES(
            {"import os\nos.system('ls')\n", "PY-EXEC-001", 2},
            {"import os\nos.execvp('sh', ['sh'])\n", "PY-EXEC-001", 2},
            {"import os\nos.spawnlp(os.P_WAIT, 'ls', 'ls')\n", "PY-EXEC-001", 2},
            {"import posix\nposix.system('id')\n", "PY-EXEC-001", 2},
            {"import os as o\nf = o.popen\nf('id')\n", "PY-EXEC-001", 3},
            {"from os import *\nsystem('id')\n", "PY-EXEC-001", 2},
            {"import subprocess\nsubprocess.check_output(['id'])\n", "PY-EXEC-002", 2},
            {"from subprocess import Popen as P\n\nP(['id'])\n", "PY-EXEC-002", 3},
            {"import pty\npty.spawn('/bin/sh')\n", "PY-EXEC-003", 2},
            {"import commands\ncommands.getoutput('id')\n", "PY-EXEC-003", 2},
            /* not process execution */
            {"import os\nos.path.join('a', 'b')\nos.getcwd()\n", "PY-EXEC-001", 0},
            {"import subprocess\ntry:\n    pass\nexcept subprocess.CalledProcessError:\n    pass\n",
             "PY-EXEC-002", 0},
            {"class Runner:\n    def system(self):\n        pass\nRunner().system()\n",
             "PY-EXEC-001", 0},
            {"\"\"\"Never call os.system('rm -rf /') here.\"\"\"\n# os.system('x')\n"
             "print('use subprocess.run instead of os.system')\n",
             "PY-EXEC-001", 0});
}

Test(scan_python, obfuscated_names)
{
        CASES(
            {"import os\ngetattr(os, 'sys' + 'tem')('id')\n", "PY-EXEC-001", 2},
            {"import os\ngetattr(os, 'sys' + 'tem')('id')\n", "PY-OBF-002", 2},
            {"__import__('o' + 's').system('id')\n", "PY-EXEC-001", 1},
            {"__import__('o' + 's').system('id')\n", "PY-OBF-002", 1},
            {"m = __import__('so'[::-1])\nm.system('x')\n", "PY-EXEC-001", 2},
            {"n = ''.join([chr(111), chr(115)])\n__import__(n).popen('x')\n", "PY-EXEC-001", 2},
            {"import importlib\nimportlib.import_module('sub' + 'process').run(['x'])\n",
             "PY-EXEC-002", 2},
            {"import sys\nsys.modules['os'].system('id')\n", "PY-EXEC-001", 2},
            {"__builtins__.__dict__['__imp' + 'ort__']('os').system('x')\n", "PY-EXEC-001", 1},
            {"globals()['__builtins__']\n", "PY-ESC-003", 1},
            {"vars()['ev' + 'al']('1')\n", "PY-DYN-007", 1},
            {"import os\nname = 'sys'\nname += 'tem'\ngetattr(os, name)('id')\n", "PY-DYN-002", 4},
            /* the plain forms are not obfuscation */
            {"import os\ngetattr(os, 'getcwd')()\n", "PY-OBF-002", 0},
            {"__import__('json').dumps({})\n", "PY-OBF-002", 0},
            {"import importlib\nimportlib.import_module('json')\n", "PY-DYN-002", 0},
            /* a package path joined from its parts is how plugin loaders name modules */
            {"import importlib\nimportlib.import_module('.'.join((PKG, 'mod')))\n", "PY-OBF-002",
             0});
}

Test(scan_python, dynamic_code)
{
        CASES({"eval(input())\n", "PY-DYN-001", 1},
              {"exec(open('x.py').read())\n", "PY-DYN-001", 1},
              {"import builtins\nbuiltins.exec(code)\n", "PY-DYN-001", 2},
              {"e = eval\ne(s)\n", "PY-DYN-001", 1}, {"exec('x = 1')\n", "PY-DYN-007", 1},
              {"exec('x = 1')\n", "PY-DYN-001", 0},
              {"exec('import os\\nos.system(\"id\")')\n", "PY-EXEC-001", 1},
              {"import importlib\nimportlib.import_module(name)\n", "PY-DYN-002", 2},
              {"__import__(sys.argv[1])\n", "PY-DYN-002", 1},
              {"import marshal\nmarshal.loads(b)\n", "PY-DYN-003", 2},
              {"import pickle\npickle.load(f)\n", "PY-DYN-004", 2},
              {"import pickle\npickle.loads(b\"cos\\nsystem\\n(S'id'\\ntR.\")\n", "PY-DYN-005", 2},
              {"import yaml\nyaml.load(f)\n", "PY-DYN-006", 2},
              {"import yaml\nyaml.load(f, Loader=yaml.FullLoader)\n", "PY-DYN-006", 2},
              /* methods and other modules that share the names */
              {"model.eval()\n", "PY-DYN-001", 0},
              {"df = df.eval('c = a + b')\nhigh = df.query('c > 3')\n", "PY-DYN-001", 0},
              {"import pandas as pd\npd.eval('a + b')\n", "PY-DYN-001", 0},
              {"import re\nr = re.compile(r'\\d+')\n", "PY-DYN-001", 0},
              {"from re import compile\nr = compile('x')\n", "PY-DYN-001", 0},
              {"import torch\nm = torch.compile(m)\n", "PY-DYN-001", 0},
              {"app.exec()\ncursor.execute(sql)\nwindow.exec_()\n", "PY-DYN-001", 0},
              {"import ast\nast.literal_eval(s)\n", "PY-DYN-001", 0},
              {"def eval(x):\n    return x\neval(s)\n", "PY-DYN-001", 0},
              {"xgb.train(p, d, evals=[(d, 'train')], eval=True)\n", "PY-DYN-001", 0},
              {"import yaml\nyaml.load(f, Loader=yaml.SafeLoader)\nyaml.safe_load(f)\n",
               "PY-DYN-006", 0},
              {"import importlib\nimportlib.import_module('json')\n", "PY-DYN-002", 0},
              {"getattr(self, name)()\n", "PY-DYN-002", 0});
}

Test(scan_python, scopes)
{
        /* a local in one function shadows nothing elsewhere */
        CASES({"def f():\n    exec = print\n    exec('x')\nexec(code)\n", "PY-DYN-001", 4},
              {"def f():\n    exec = print\n    exec(code)\n", "PY-DYN-001", 0},
              {"def f(eval):\n    return eval(x)\n", "PY-DYN-001", 0},
              {"def f(x, eval=None):\n    pass\neval(y)\n", "PY-DYN-001", 3},
              {"import os\ndef f():\n    os.system('x')\n", "PY-EXEC-001", 3},
              {"def f():\n    import subprocess as s\n    s.run(['x'])\n", "PY-EXEC-002", 3},
              {"socket = connect()\nsocket.socket()\n", "PY-NET-001", 0},
              {"for os in hosts:\n    os.system()\n", "PY-EXEC-001", 0});
}

Test(scan_python, decoded_payloads)
{
        CASES(
            {"import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n", "PY-OBF-001", 2},
            {"import base64\np = base64.b64decode(s)\n\nexec(p)\n", "PY-OBF-001", 4},
            {"import base64\ndef f(s):\n    p = base64.b64decode(s).decode()\n    exec(p)\n",
             "PY-OBF-001", 4},
            {"import zlib, base64\nexec(zlib.decompress(base64.b64decode(s)))\n", "PY-OBF-001", 2},
            {"import codecs\nexec(codecs.decode('cevag(1)', 'rot13'))\n", "PY-OBF-001", 2},
            {"exec(bytes.fromhex('7072696e74283129'))\n", "PY-OBF-001", 1},
            {"exec('))1(tnirp'[::-1])\n", "PY-OBF-001", 1},
            {"exec(bytes([112, 114, 105, 110, 116, 40, 49, 41]))\n", "PY-OBF-001", 1},
            {"d = [112, 114, 105, 110, 116, 40, 49, 41]\nexec(''.join(map(chr, d)))\n",
             "PY-OBF-001", 2},
            {"import marshal, base64\nmarshal.loads(base64.b64decode(s))\n", "PY-OBF-001", 2},
            /* what the decoded code does is found too, at the exec */
            {"import base64\nexec(base64.b64decode('aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImlkIik='))\n",
             "PY-EXEC-001", 2},
            {"exec('exec(\"import pty; pty.spawn(\\'sh\\')\")')\n", "PY-EXEC-003", 1},
            /* decoding without running it is nothing */
            {"import base64, json\nx = base64.b64decode(s)\njson.loads(x)\n", "PY-OBF-001", 0},
            {"import base64\nimg = base64.b64decode(data)\nopen('a.png', 'wb').write(img)\n",
             "PY-OBF-001", 0});
}

Test(scan_python, sandbox_escapes)
{
        CASES(
            {"().__class__.__base__.__subclasses__()\n", "PY-ESC-001", 1},
            {"getattr(x, '__subcl' + 'asses__')()\n", "PY-ESC-001", 1},
            {"f.__globals__['os']\n", "PY-ESC-002", 1}, {"__builtins__ = {}\n", "PY-ESC-003", 1},
            {"import builtins\nbuiltins.open = fake\n", "PY-ESC-003", 2},
            {"import builtins\nsetattr(builtins, 'open', fake)\n", "PY-ESC-003", 2},
            {"__builtins__['eval'] = None\n", "PY-ESC-003", 1},
            {"f.__code__ = g.__code__\n", "PY-ESC-004", 1},
            {"import sys\nsys._getframe(1).f_locals\n", "PY-ESC-005", 2},
            {"import sys\nsys.modules['json'] = fake\n", "PY-ESC-006", 2},
            {"import sys\ndel sys.modules['os']\n", "PY-ESC-006", 2},
            {"import os\nos.setuid(0)\n", "PY-ESC-007", 2},
            /* reading is fine */
            {"import sys\nmod = sys.modules[__name__]\nsys.path.insert(0, '.')\n", "PY-ESC-006", 0},
            {"print(type(x).__name__, x.__class__, x.__dict__, f.__code__.co_varnames)\n",
             "PY-ESC-004", 0},
            {"import builtins\nprint(builtins.len([]))\n", "PY-ESC-003", 0},
            /* restricting the builtins of an eval names them, it does not reach them */
            {"eval(expr, {'__builtins__': {}}, {})\n", "PY-ESC-003", 0},
            {"ns = {}\nns['__builtins__']\n", "PY-ESC-003", 2});
}

Test(scan_python, native_and_network)
{
        CASES(
            {"import ctypes\n", "PY-NAT-001", 1},
            {"from ctypes import CDLL\nCDLL(None)\n", "PY-NAT-001", 1}, /* once per file */
            {"import ctypes\nctypes.memmove(a, b, 8)\n", "PY-NAT-002", 2},
            {"import socket\ns = socket.socket()\n", "PY-NET-001", 2},
            {"import socket\nsocket.gethostname()\n", "PY-NET-001", 0},
            {"import requests\nrequests.get(u)\n", "PY-NET-003", 2},
            {"u = 'https://evil.example-c2.net/x'\n", "PY-NET-004", 1},
            {"u = 'http://203.0.113.9:8000/x'\n", "PY-NET-005", 1},
            {"u = 'http://user:pw@[2001:db8::1]:80/'\n", "PY-NET-005", 1},
            {"u = 'http://localhost:8000/'\nv = 'http://127.0.0.1/'\nw = 'https://example.com/'\n",
             "PY-NET-004", 0},
            {"u = 'http://%s:%d/' % (h, p)\nv = f'https://{host}/api'\n", "PY-NET-004", 0},
            {"\"\"\"Docs live at https://docs.example-c2.net/.\"\"\"\n", "PY-NET-004", 0});
}

Test(scan_python, sensitive_paths)
{
        CASES({"open('/etc/shadow')\n", "PY-PATH-001", 1},
              {"p = '/etc/' + 'shadow'\n", "PY-PATH-001", 1},
              {"import os\nos.path.join(os.path.expanduser('~'), '.ssh', 'id_ed25519')\n",
               "PY-PATH-001", 2},
              {"open('/home/u/.aws/credentials')\n", "PY-PATH-001", 1},
              {"open('/proc/1234/environ')\n", "PY-PATH-001", 1},
              {"open('/etc/sh\\x61dow')\n", "PY-PATH-001", 1},
              {"x = f'/run/secrets/{name}'\n", "PY-PATH-001", 1},
              {"open('/proc/self/mem', 'rb')\n", "PY-PATH-003", 1},
              {"open('/proc/42/mem', 'rb')\n", "PY-PATH-003", 1},
              {"open('/dev/mem')\n", "PY-PATH-003", 1},
              {"open('/dev/memory_report.txt')\n", "PY-PATH-003", 0},
              {"u = 'http://169.254.169.254/latest/'\n", "PY-PATH-002", 1},
              {"open('/proc/1/root/etc/passwd')\n", "PY-PATH-004", 1},
              {"open('/dev/sdb1', 'rb')\n", "PY-PATH-005", 1},
              {"open('/etc/passwd')\n", "PY-PATH-006", 1},
              {"open('/etc/hosts')\nopen('/etc/os-release')\nopen('/proc/cpuinfo')\n",
               "PY-PATH-001", 0},
              {"\"\"\"Reads /etc/shadow? No: this docstring only says so.\"\"\"\n", "PY-PATH-001",
               0});
}

Test(scan_python, destructive_file_operations)
{
        CASES({"import shutil\nshutil.rmtree('/')\n", "PY-FS-001", 2},
              {"import shutil\nshutil.rmtree('/usr/lib')\n", "PY-FS-001", 2},
              {"import os\nos.remove('/etc/hosts')\n", "PY-FS-001", 2},
              {"import os\nos.rmdir(os.path.expanduser('~'))\n", "PY-FS-001", 2},
              {"import os\nos.unlink(os.path.join('/boot', 'grub'))\n", "PY-FS-001", 2},
              {"from pathlib import Path\nPath.home().rmdir()\n", "PY-FS-001", 2},
              {"open('/etc/ld.so.preload', 'w')\n", "PY-FS-002", 1},
              {"open('/home/bob/.ssh/authorized_keys', mode='a')\n", "PY-FS-002", 1},
              {"from pathlib import Path\nPath('/etc/profile.d/x.sh').write_text('x')\n",
               "PY-FS-002", 2},
              /* a project's own files */
              {"import shutil, os\nshutil.rmtree('build')\nshutil.rmtree('/tmp/work')\n"
               "os.remove('out.csv')\nshutil.rmtree(tmpdir)\n",
               "PY-FS-001", 0},
              {"open('/etc/hosts')\nopen('/dev/null', 'w')\nopen('results.csv', 'w')\n"
               "open('/tmp/x', 'w')\nopen('/var/log/app.log', 'a')\n",
               "PY-FS-002", 0},
              {"open('/var/spool/cron/crontabs/root', 'w')\n", "PY-FS-002", 1},
              {"import shutil\nshutil.rmtree('/var/log')\n", "PY-FS-001", 2},
              {"import os\nopen(os.path.expanduser('~/.myapp.json'), 'w')\n", "PY-FS-002", 0});
}

Test(scan_python, resource_bombs)
{
        CASES(
            {"import os\nwhile True:\n    os.fork()\n", "PY-RES-002", 2},
            {"import os\nwhile 1: os.fork()\n", "PY-RES-002", 2},
            {"import os\nfor _ in range(9):\n    os.fork()\n", "PY-RES-001", 3},
            {"import os\n[os.fork() for _ in range(9)]\n", "PY-RES-001", 2},
            {"import os\ndef f():\n    os.fork()\n    f()\n", "PY-RES-002", 2},
            {"import itertools, os\nfor _ in itertools.count():\n    os.fork()\n", "PY-RES-002", 2},
            {"a = []\nwhile True:\n    a.append('x' * 10**6)\n", "PY-RES-003", 2},
            {"s = ''\nwhile True:\n    s += 'x'\n", "PY-RES-003", 2},
            /* loops with a way out, or that wait */
            {"import os\npid = os.fork()\n", "PY-RES-001", 0},
            {"a = []\nwhile True:\n    a.append(1)\n    if len(a) > 9:\n        break\n",
             "PY-RES-003", 0},
            {"def gen():\n    a = []\n    while True:\n        a.append(1)\n        yield a\n",
             "PY-RES-003", 0},
            {"import time\nlog = []\nwhile True:\n    log.append(poll())\n    time.sleep(1)\n",
             "PY-RES-003", 0},
            {"def f():\n    while True:\n        x.append(1)\n        return x\n", "PY-RES-003", 0},
            {"import sys\nwhile True:\n    line = sys.stdin.readline()\n    buf.append(line)\n",
             "PY-RES-003", 0},
            /* an exception ends it: the loop is in a try, or iter() stops at its sentinel */
            {"try:\n    while True:\n        out.append(q.get_nowait())\nexcept Empty:\n    pass\n",
             "PY-RES-003", 0},
            {"for line in iter(f.readline, ''):\n    lines.append(line)\n", "PY-RES-003", 0},
            {"for _ in iter(int, 1):\n    lines.append(1)\n", "PY-RES-003", 1},
            /* but a fork bomb in a try is still one */
            {"import os\ntry:\n    while True:\n        os.fork()\nexcept OSError:\n    pass\n",
             "PY-RES-002", 3},
            {"while True:\n    for x in y:\n        a.append(x)\n        break\n", "PY-RES-003",
             1}); /* that break ends the inner loop only */
}

Test(scan_python, source_encoding_and_unicode_names)
{
        CASES({"# -*- coding: utf-7 -*-\nx = 1\n", "PY-OBF-003", 1},
              {"#!/usr/bin/env python3\n# vim: set fileencoding=raw_unicode_escape :\n",
               "PY-OBF-003", 2},
              {"# coding: utf-8\n# -*- coding: latin-1 -*-\n", "PY-OBF-003", 0},
              {"x = 1\n# coding: unicode_escape\n", "PY-OBF-003", 0},
              {"\xef\xbd\x85\xef\xbd\x96\xef\xbd\x81\xef\xbd\x8c(s)\n", "PY-OBF-004", 1},
              {"\xef\xbd\x85\xef\xbd\x96\xef\xbd\x81\xef\xbd\x8c(s)\n", "PY-DYN-001", 1},
              {"caf\xc3\xa9 = 1\nprint(caf\xc3\xa9)\n", "PY-OBF-004", 0});
}

Test(scan_python, fstring_expressions_are_code)
{
        CASES({"import os\nprint(f'{os.system(\"id\")}')\n", "PY-EXEC-001", 2},
              {"x = f\"\"\"\n{eval(s)}\n\"\"\"\n", "PY-DYN-001", 2},
              {"print(f'run os.system to {verb}')\n", "PY-EXEC-001", 0});
}

Test(scan_python, data_analysis_code_is_quiet)
{
        static const char *const srcs[] = {
            "import pandas as pd\nimport numpy as np\ndf = pd.read_csv('data.csv')\n"
            "df['total'] = df.eval('a + b')\nprint(df.query('total > 3').describe())\n"
            "print(np.mean(df['total']))\n",
            "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\n"
            "plt.savefig('/tmp/plot.png')\n",
            "import json, csv, re\nfrom pathlib import Path\nrows = "
            "list(csv.DictReader(open('a.csv')))\n"
            "Path('out.json').write_text(json.dumps(rows))\npat = re.compile(r'^\\w+$')\n",
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('--n', type=int)\n"
            "a = p.parse_args()\n",
            "import torch\nmodel = Net()\nmodel.eval()\nwith torch.no_grad():\n    y = model(x)\n",
            "import requests\nr = requests.get('https://api.github.com/users/x', timeout=5)\n"
            "print(r.json()['login'])\n",
            "import unittest\nclass T(unittest.TestCase):\n    def test_x(self):\n"
            "        self.assertEqual(eval_expr('1+1'), 2)\n",
            "import pickle\nwith open('m.pkl', 'rb') as f:\n    m = pickle.load(f)\n",
            "import yaml\ncfg = yaml.safe_load(open('c.yml'))\n",
            "import multiprocessing as mp\nfor i in range(4):\n    mp.Process(target=f).start()\n",
            "import os\nfor name in os.listdir('.'):\n    if name.endswith('.tmp'):\n"
            "        os.remove(name)\n",
            "import subprocess\n\"\"\"We never use subprocess.run here.\"\"\"\n",
            "import time\nwhile True:\n    print(time.time())\n    time.sleep(5)\n",
            "while True:\n    cmd = input('> ')\n    if cmd == 'q':\n        break\n    "
            "hist.append(cmd)\n",
        };

        run_quiet(srcs, sizeof(srcs) / sizeof(srcs[0]));
}

Test(scan_python, positions_point_at_the_call)
{
        const char *src = "import os\n\nx = 1; os.system('a')\n";
        ScanReport r = scan(src, strlen(src));

        cr_assert_eq(r.n_findings, 1);
        cr_expect_eq(r.findings[0].line, 3);
        cr_expect_eq(r.findings[0].column, 8);
        cr_expect_str_eq(r.findings[0].snippet, "os.system");
        scan_report_done(&r);
}

Test(scan_python, hostile_bytes_are_scanned_without_error)
{
        static const char alphabet[] = "(exec[getattr'\"f{}:,+\n \\x";
        static const char junk[] = "\x00\xff\xfe f'{' \"\"\" (((( \\\r\n\t\x1b[2J exec(\x00) '''";
        char *big;
        size_t len = 1 << 20;
        ScanReport r;
        clock_t t0;

        r = scan(junk, sizeof(junk) - 1);
        scan_report_done(&r);

        big = malloc(len);
        cr_assert_not_null(big);
        for (size_t i = 0; i < len; i++)
                big[i] = alphabet[(i * 2654435761u >> 7) % (sizeof(alphabet) - 1)];
        r = scan(big, len);
        scan_report_done(&r);

        /* deep nesting: recursion is bounded */
        memset(big, '(', len);
        r = scan(big, len);
        scan_report_done(&r);
        for (size_t i = 0; i + 8 <= len; i += 8)
                memcpy(big + i, "getattr(", 8);
        r = scan(big, len);
        scan_report_done(&r);

        /* 1 MiB of ordinary code, well within the budget (generous: the machine may be busy) */
        {
                static const char chunk[] =
                    "import os, json\nfrom pathlib import Path\n\ndef load(path):\n"
                    "    with open(path) as f:\n        data = json.load(f)\n"
                    "    return [Item(r['sku'], int(r['qty'])) for r in data if r.get('qty')]\n\n"
                    "total = sum(i.qty * PRICE for i in load(os.environ.get('P', 'x.json')))\n";
                size_t used = 0;

                while (used + sizeof(chunk) < len) {
                        memcpy(big + used, chunk, sizeof(chunk) - 1);
                        used += sizeof(chunk) - 1;
                }
                t0 = clock();
                r = scan(big, used);
                cr_expect_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 0.5);
                cr_expect_eq(r.n_findings, 0);
                scan_report_done(&r);
        }
        free(big);
}
