/* A shell tokenizer for airlock scan: POSIX sh and the bash syntax models write ('...', "...",
 * $'...', backslash escapes, $(...), `...`, ${...}, $((...)), <(...), here-documents, comments,
 * line continuations, every control and redirection operator), with line and column.
 *
 * It never runs or expands anything. It never fails on malformed input either: an unterminated
 * quote or substitution runs to the end and is flagged, NULs are dropped (as bash drops them),
 * bytes that are not UTF-8 are ordinary word bytes. It is not bash: where the two disagree an
 * attacker may hide a command from the scan, which is one reason the scan is never the only
 * layer.
 *
 * Output is a flat token array. Each token belongs to a command list: list 0 is the script, and
 * every command or process substitution body is a list of its own (nested bodies are lexed once,
 * in the same pass), so a matcher can walk each list as a sequence of simple commands without
 * recursion. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting of substitutions, ${...} and backticks. Deeper input is skipped (its end is still
 * found) and reported through ShTokens.limit_hit; recursion, and so the C stack, stays bounded. */
#define SH_MAX_DEPTH 64
/* Tokens per buffer: a bound on memory (about 64 bytes a token) for the 16 MiB SCAN_MAX_INPUT.
 * The rest of a larger script is not tokenized and limit_hit says so. */
#define SH_MAX_TOKENS (1u << 20)

#define SH_NONE UINT32_MAX /* "no list", "no token" */

typedef enum ShTokenKind {
        SH_TOK_WORD,
        SH_TOK_OP,      /* a control or redirection operator: op says which */
        SH_TOK_NEWLINE, /* an unquoted newline: ends a command like ';' */
        SH_TOK_COMMENT, /* from '#' to the end of the line, newline excluded */
        SH_TOK_HEREDOC, /* a here-document body; it follows the newline that ends its line */
} ShTokenKind;

typedef enum ShOp {
        SH_OP_NONE = 0,
        SH_OP_PIPE,       /* | */
        SH_OP_PIPE_AMP,   /* |& */
        SH_OP_OR,         /* || */
        SH_OP_AND,        /* && */
        SH_OP_SEMI,       /* ; */
        SH_OP_DSEMI,      /* ;; */
        SH_OP_SEMI_AMP,   /* ;& */
        SH_OP_DSEMI_AMP,  /* ;;& */
        SH_OP_AMP,        /* & */
        SH_OP_LPAREN,     /* ( */
        SH_OP_RPAREN,     /* ) */
        SH_OP_GREAT,      /* > */
        SH_OP_DGREAT,     /* >> */
        SH_OP_CLOBBER,    /* >| */
        SH_OP_LESS,       /* < */
        SH_OP_LESSGREAT,  /* <> */
        SH_OP_GREATAND,   /* >& */
        SH_OP_LESSAND,    /* <& */
        SH_OP_AMP_GREAT,  /* &> */
        SH_OP_AMP_DGREAT, /* &>> */
        SH_OP_DLESS,      /* << */
        SH_OP_DLESSDASH,  /* <<- */
        SH_OP_TLESS,      /* <<< */
        _SH_OP_MAX,
} ShOp;

/* Token flags. */
enum {
        SH_TOK_UNTERMINATED = 1u << 0, /* a quote, substitution or here-doc ran to the end */
        SH_WORD_QUOTED = 1u << 1,      /* quotes or backslashes took part in the word */
        SH_WORD_EXPANDS = 1u << 2,     /* some part is not literal ($x, $(...), ~, ...) */
        SH_WORD_ASSIGN = 1u << 3,      /* NAME=... or NAME+=..., unquoted name */
        SH_WORD_ARRAY = 1u << 4,       /* NAME=( : the next token opens the array */
        SH_WORD_ARITH_CMD = 1u << 5,   /* a whole ((...)) command, or for ((...)) */
        SH_TOK_COND = 1u << 6,         /* inside [[ ... ]]: an expression, not commands */
        SH_TOK_CASE_HEAD = 1u << 7,    /* case WORD in */
        SH_TOK_CASE_PATTERN = 1u << 8, /* a case pattern, its '(' '|' ')' included */
        SH_HEREDOC_QUOTED = 1u << 9,   /* the delimiter was quoted: the body is not expanded */
        SH_HEREDOC_STRIP = 1u << 10,   /* <<- : leading tabs stripped */
};

typedef enum ShPartKind {
        SH_PART_LITERAL,     /* text after quote removal and escape decoding */
        SH_PART_PARAM,       /* $NAME ${NAME} $1 $@ ...: name says which */
        SH_PART_PARAM_EXPR,  /* ${NAME<op>...}, ${#NAME}, ${!NAME}: name as far as known */
        SH_PART_CMDSUB,      /* $(...) or `...`: list holds the body */
        SH_PART_PROCSUB_IN,  /* <(...) */
        SH_PART_PROCSUB_OUT, /* >(...) */
        SH_PART_ARITH,       /* $((...)) */
        SH_PART_TILDE,       /* ~ or ~user starting a word; name holds the user */
} ShPartKind;

/* Part flags. */
enum {
        SH_PART_SQUOTED = 1u << 0, /* some of it was in '...' */
        SH_PART_DQUOTED = 1u << 1, /* some of it was in "..." */
        SH_PART_ANSI = 1u << 2,    /* some of it was $'...' with escapes decoded */
        SH_PART_ESCAPED = 1u << 3, /* a backslash escape outside quotes */
        SH_PART_GLOB = 1u << 4,    /* an unquoted * ? or [ */
        SH_PART_GUARDED = 1u << 5, /* ${NAME:?...} or ${NAME?...}: fails when unset */
};

typedef struct ShPart {
        uint8_t kind; /* ShPartKind */
        uint8_t flags;
        uint32_t text; /* offset in ShTokens.text: literal text, or the construct's short form
                        * ("$NAME", "${NAME...}", "$(...)"), never the whole body */
        uint32_t text_len;
        uint32_t name; /* offset in ShTokens.text of the parameter or user name */
        uint32_t name_len;
        uint32_t list; /* CMDSUB, PROCSUB_*: the body's list, SH_NONE when too deep */
} ShPart;

typedef struct ShToken {
        uint8_t kind;      /* ShTokenKind */
        uint8_t op;        /* ShOp, for SH_TOK_OP */
        int16_t io_number; /* the fd before a redirection ("2>"), -1 when none */
        uint32_t flags;
        uint32_t list;
        uint32_t line, column;   /* 1-based, of the first byte, in the buffer given */
        uint32_t offset, length; /* bytes in its list's src (the body, for SH_TOK_HEREDOC) */
        uint32_t text, text_len; /* WORD: the parts' texts, concatenated, NUL-terminated */
        uint32_t first_part, n_parts;
        uint32_t heredoc; /* OP << <<-: the token of its body, SH_NONE when there is none */
} ShToken;

typedef enum ShListKind {
        SH_LIST_SCRIPT,
        SH_LIST_CMDSUB,      /* $(...) */
        SH_LIST_BACKTICK,    /* `...`, lexed from a copy with its escapes removed */
        SH_LIST_PROCSUB_IN,  /* <(...) */
        SH_LIST_PROCSUB_OUT, /* >(...) */
} ShListKind;

typedef struct ShList {
        ShListKind kind;
        uint32_t parent; /* the list it is nested in (0 for the script itself) */
        uint32_t token;  /* the word (or here-doc body) holding it, SH_NONE for the script */
        uint32_t depth;  /* constructs around it: substitutions, ${...}, $((...)), backticks;
                          * more than its parent's, at most SH_MAX_DEPTH */
        const char *src; /* the bytes its tokens' offsets refer to */
        size_t src_len;
        bool unterminated;
        uint32_t first, n; /* its tokens: ShTokens.order[first .. first + n) */
} ShList;

typedef struct ShTokens {
        ShToken *tokens;
        size_t n_tokens;
        ShPart *parts;
        size_t n_parts;
        ShList *lists; /* a parent always comes before its children */
        size_t n_lists;
        char *text; /* words' texts, NUL-terminated each */
        size_t text_len;
        uint32_t *order; /* token indexes grouped by list, in source order within a list */
        char **copies;   /* backtick bodies with escapes removed, owned */
        size_t n_copies;
        bool limit_hit; /* SH_MAX_DEPTH or SH_MAX_TOKENS: part of the input was not lexed */
        uint32_t limit_line, limit_column;
} ShTokens;

/* Tokenizes len bytes of src (NULs and invalid UTF-8 allowed). src must outlive the tokens.
 * Returns 0, -ENOMEM, or -E2BIG past UINT32_MAX / 2 bytes. Malformed input is not an error. */
int sh_tokenize(const char *src, size_t len, ShTokens *ret);
void sh_tokens_done(ShTokens *ts);

const char *sh_op_to_string(ShOp op);
bool sh_op_is_redirection(ShOp op);

static inline const char *sh_token_text(const ShTokens *ts, const ShToken *t)
{
        return ts->text + t->text;
}

static inline const ShPart *sh_token_parts(const ShTokens *ts, const ShToken *t)
{
        /* A script whose words have no parts at all has no parts array (NULL + 0 is UB). */
        return ts->parts ? ts->parts + t->first_part : NULL;
}

static inline const char *sh_part_text(const ShTokens *ts, const ShPart *p)
{
        return ts->text + p->text;
}

static inline const char *sh_part_name(const ShTokens *ts, const ShPart *p)
{
        return ts->text + p->name;
}

/* The raw bytes of a token in its list's source. */
static inline const char *sh_token_raw(const ShTokens *ts, const ShToken *t)
{
        return ts->lists[t->list].src + t->offset;
}
