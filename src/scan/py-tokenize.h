/* A Python tokenizer for the scanner: every token of Python 3 source with its position, the
 * expression parts of f-strings exposed as tokens (so rules see calls inside "{...}"), and the
 * value of string literals with their escapes applied.
 *
 * It never fails: malformed input (unterminated strings, NULs, invalid UTF-8, stray bytes,
 * unbalanced brackets, inconsistent dedents) gives ERRORTOKENs or best-effort tokens, and
 * tokenizing stops at the end of the input. It allocates nothing, reads only inside the buffer
 * (which need not be NUL-terminated), does O(1) work per byte apart from f-strings (one extra
 * pass per nesting level, and nesting is bounded), and keeps a fixed-size state.
 *
 * F-strings follow Python 3.11: an f-string ends at the first unescaped closing quote, like any
 * string, and only then is its inside split into literal text and {expressions}. Under 3.12's
 * rules, f"{x["k"]}" is one string; here it ends at the second quote, but the tokens of the
 * expression up to there are still emitted. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum PyTokenType {
        PY_TOK_ENDMARKER = 0, /* last token, empty */
        PY_TOK_NAME,
        PY_TOK_NUMBER,
        PY_TOK_STRING,         /* a whole literal with its prefix and quotes (f-strings too, when
                                * nested too deep to expose their parts) */
        PY_TOK_FSTRING_START,  /* prefix and opening quote of an f-string */
        PY_TOK_FSTRING_MIDDLE, /* literal text of an f-string or of a format spec */
        PY_TOK_FSTRING_END,    /* the closing quote; empty when the f-string is unterminated */
        PY_TOK_OP,
        PY_TOK_COMMENT,
        PY_TOK_NEWLINE,    /* ends a logical line (empty at the end of the input) */
        PY_TOK_NL,         /* a line break that does not: blank line, inside brackets */
        PY_TOK_INDENT,     /* the leading whitespace of a more indented logical line */
        PY_TOK_DEDENT,     /* empty, one per indentation level closed */
        PY_TOK_ERRORTOKEN, /* bytes Python would reject; tokenizing goes on after them */
        _PY_TOK_MAX,
} PyTokenType;

typedef enum PyTokenFlags {
        PY_TOKF_UNTERMINATED = 1 << 0, /* string cut by the end of its line or of the input */
        PY_TOKF_RAW = 1 << 1,          /* r prefix: backslashes are literal */
        PY_TOKF_BYTES = 1 << 2,        /* b prefix */
        PY_TOKF_TRIPLE = 1 << 3,       /* ''' or """ */
        PY_TOKF_FSTRING = 1 << 4,      /* f prefix, or a token inside an f-string */
} PyTokenFlags;

typedef struct PyToken {
        uint32_t start;  /* byte offset in the input */
        uint32_t len;    /* bytes; 0 for DEDENT, ENDMARKER, the final NEWLINE */
        uint32_t line;   /* 1-based, of the first byte */
        uint32_t col;    /* 1-based, in bytes */
        uint8_t type;    /* PyTokenType */
        uint8_t flags;   /* PyTokenFlags */
        uint16_t fdepth; /* f-strings this token is inside of (0 outside any) */
} PyToken;

/* Python refuses more than 100 indentation levels; deeper lines here count as the 100th. */
#define PY_TOKENIZE_MAX_INDENT 100
/* Frames for f-strings: one per f-string, one per {field} open in it. Python 3.11 cannot nest
 * f-strings more than four deep (one per quote kind); deeper ones become plain STRING tokens. */
#define PY_TOKENIZE_MAX_FRAMES 24
/* Inputs are cut here (positions are 32-bit); scan.h caps files far below. */
#define PY_TOKENIZE_MAX_INPUT (UINT32_MAX - 16u)

typedef struct PyFrame {
        uint8_t kind; /* internal: literal text, expression, format spec */
        uint8_t flags;
        uint8_t close_len; /* bytes of closing quote present: 0 (unterminated), 1 or 3 */
        uint32_t end;      /* offset of the closing quote: where the f-string's inside ends */
        int32_t depth;     /* brackets open inside this {field} */
} PyFrame;

typedef struct PyTokenizer {
        const char *data;
        uint32_t len;
        uint32_t pos;
        uint32_t line;
        uint32_t line_start; /* offset of the first byte of the current line */
        int32_t paren;       /* brackets open outside f-strings: lines join implicitly */
        uint32_t pending_dedents;
        bool at_line_start;  /* indentation of a new logical line still to measure */
        bool line_has_token; /* the logical line has a token, so a break ends it (NEWLINE) */
        bool done;
        uint32_t n_indent;
        uint32_t indent[PY_TOKENIZE_MAX_INDENT + 1];
        uint32_t n_frames;
        PyFrame frames[PY_TOKENIZE_MAX_FRAMES];
} PyTokenizer;

void py_tokenizer_init(PyTokenizer *t, const char *data, size_t len);

/* The next token. Returns false once the ENDMARKER has been returned. */
bool py_tokenizer_next(PyTokenizer *t, PyToken *ret);

const char *py_token_type_to_string(PyTokenType type);

/* The values of tokens (py-token-value.c). True when the token is a NAME or OP whose bytes
 * are exactly s. */
bool py_token_is(const char *data, const PyToken *tok, const char *s);

/* The value of a STRING or FSTRING_MIDDLE token: prefix and quotes removed, escapes applied
 * unless raw (\n, \xHH, \ooo, \uXXXX and \UXXXXXXXX as UTF-8, \N{...} kept as is,
 * backslash-newline removed; "{{" and "}}" halved in f-string text). Writes at most size bytes
 * to buf and returns the full length of the value; the value is cut when it is longer. */
size_t py_string_value(const char *data, const PyToken *tok, char *buf, size_t size);

/* The name Python sees for a NAME token: identifiers are NFKC-normalised, so "ｅｖａｌ"
 * (fullwidth), "𝐞𝐯𝐚𝐥" (mathematical bold), "ℯval" and "ſys" are eval and sys. Folds those
 * look-alikes (fullwidth forms, mathematical alphanumerics, letterlike symbols, the long s, ª º and
 * the Latin ligatures) to ASCII into buf, NUL-terminated. Returns the length, or -1 when the name
 * holds any other non-ASCII character or does not fit in size - 1 bytes. *ret_folded (may be
 * NULL) tells whether a look-alike was folded. */
int py_name_value(const char *data, const PyToken *tok, char *buf, size_t size, bool *ret_folded);
