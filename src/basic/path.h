/* Path checks for names that end up inside the sandbox's scratch area. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Normalises a destination inside the scratch area: "a//b/./c" -> "a/b/c". A leading
 * "<scratch_prefix>/" (for example "/work/") is accepted and stripped. Refuses absolute paths
 * elsewhere, "..", empty results, and names longer than PATH_MAX. Returns a malloc'd string. */
int path_normalize_relative(const char *path, const char *scratch_prefix, char **ret);

/* True when the string contains no "/" and is not "", "." or "..": a single path component. */
bool path_is_plain_component(const char *name);

/* Last component of a path, ignoring trailing slashes ("a/b/" -> "b"). Returns a malloc'd string,
 * or NULL if there is none (for "/" or ""). */
char *path_basename(const char *path);
