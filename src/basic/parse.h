/* Checked parsers for the numbers a user types: sizes, durations, CPU shares, counts.
 * Every parser rejects empty input, signs, overflow and trailing junk with -EINVAL/-ERANGE. */
#pragma once

#include <stdint.h>

/* "512M", "64K", "1G", "1.5G", "4096" (bytes); K/M/G/T are powers of 1024 and may be followed
 * by "i", "iB" or "B". */
int parse_size(const char *s, uint64_t *ret_bytes);

/* "2.5s", "500ms", "1m", "1h", "3" (seconds) into milliseconds, rounded up. */
int parse_duration_ms(const char *s, uint64_t *ret_ms);

/* "0.5", "2", "1.25" cores into thousandths of a core. */
int parse_cpus_milli(const char *s, uint32_t *ret_milli);

/* Plain decimal unsigned integers. */
int parse_uint64(const char *s, uint64_t *ret);
int parse_uint32(const char *s, uint32_t *ret);
