/* Shell rules: a table (policy as data) and the matcher that walks sh-tokenize's lists as
 * simple commands.
 *
 * A command is the words of a simple command between operators, resolved: quotes removed,
 * $'...' decoded, $NAME replaced when the script gave NAME a literal value earlier (c=rm; $c),
 * wrappers unwrapped (sudo env nohup exec command builtin xargs nice timeout ...). Strings given
 * to sh -c, bash -c, su -c, eval, a shell's here-doc or here-string, and echo/printf piped into
 * a shell are scanned as scripts of their own, up to SCRIPT_DEPTH deep. Substitution bodies are
 * lists of their own and are walked like the script; a summary of each (does it download? does
 * it decode?) travels up to the word holding it, so that bash -c "$(curl ...)" is seen.
 *
 * Not covered (the scan is one layer, never the only one): functions called with dangerous
 * arguments (f() { rm -rf "$1"; }; f /), values built at run time (read, arithmetic, slicing),
 * aliases, code for other interpreters given with -c or -e.
 *
 * One concern per file; scan-shell-internal.h declares what crosses files:
 *   sh-rules.c      the rule table (data)
 *   sh-walk.c       the walk of a list of tokens: commands, pipelines, reserved words
 *   sh-pipeline.c   commands and pipelines gathered, then handed to the rules
 *   sh-command.c    command words: names, options, wrappers unwrapped, interpreters
 *   sh-expand.c     expansion of a word: quotes, $'...', variables with known values
 *   sh-path.c       what a path names on the host
 *   sh-rules-fs.c   the rules on files: deletes, modes, writes, redirections
 *   sh-rules-cmd.c  the other rules, and the dispatch of a command to its rules
 *   sh-nested.c     strings and here-docs run as scripts, scanned in turn
 *   sh-frames.c     functions and loops, for fork bombs
 *   sh-emit.c       findings, at their file position, once each
 *   scan-shell.c    this file: a script (the file, or a string in it) from tokens to findings */
#include <errno.h>
#include <stdlib.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

/* Scans one script: the file (depth 0), or a string in it that a command runs, whose first byte
 * sits at line, column of the file and whose words end on last_line. */
void sh_scan_script(Scanner *sc, const char *src, size_t len, uint32_t line, uint32_t column,
                    uint32_t last_line, uint32_t depth)
{
        Script sp = {
            .sc = sc,
            .depth = depth,
            .line = line,
            .column = column,
            .last_line = last_line,
        };
        int r;

        r = sh_tokenize(src, len, &sp.ts);
        if (r < 0) {
                if (sc->err == 0)
                        sc->err = r;
                return;
        }
        sp.list_flags = calloc(MAX(sp.ts.n_lists, (size_t)1), 1);
        sp.tok_flags = calloc(MAX(sp.ts.n_tokens, (size_t)1), 1);
        sp.frames = malloc(MAX_FRAMES * sizeof(Frame));
        if (!sp.list_flags || !sp.tok_flags || !sp.frames) {
                sc->err = -ENOMEM;
                goto out;
        }
        /* Summaries first, innermost lists first: a parent's words need its children's. */
        for (size_t l = sp.ts.n_lists; l-- > 0;) {
                sh_walk(&sp, (uint32_t)l, true);
                if (sp.ts.lists[l].token != SH_NONE)
                        sp.tok_flags[sp.ts.lists[l].token] |= sp.list_flags[l];
        }
        for (size_t l = 0; l < sp.ts.n_lists && sc->err == 0; l++)
                sh_walk(&sp, (uint32_t)l, false);
        if (sp.ts.limit_hit && !sc->limit_reported) {
                ShToken at = {.line = sp.ts.limit_line, .column = sp.ts.limit_column};
                uint32_t l, c;

                sc->limit_reported = true;
                sh_map_pos(&sp, &at, &l, &c);
                sh_emit_at(&sp, R_LIMIT, l, c,
                           "input nested deeper than %d or longer than %u "
                           "tokens: the rest is not scanned",
                           SH_MAX_DEPTH, SH_MAX_TOKENS);
        }
out:
        for (size_t i = 0; i < sp.cap_pipe; i++) {
                sh_cmd_clear(&sp.pipe[i]);
                free(sp.pipe[i].w);
                free(sp.pipe[i].r);
        }
        free(sp.pipe);
        free(sp.frames);
        free(sp.list_flags);
        free(sp.tok_flags);
        sh_tokens_done(&sp.ts);
}

int scan_shell(const char *data, size_t len, ScanReport *r)
{
        Scanner sc = {.report = r};

        sh_scan_script(&sc, data, len, 1, 1, UINT32_MAX, 0);
        for (size_t i = 0; i < sc.n_vars; i++) {
                free(sc.vars[i].name);
                free(sc.vars[i].value);
        }
        for (size_t i = 0; i < sc.n_fetched; i++)
                free(sc.fetched[i]);
        free(sc.seen);
        return sc.err;
}
