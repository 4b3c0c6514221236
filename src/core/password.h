/* password.h: password hashes for Vigie's users (libsodium's crypto_pwhash_str: argon2id with a
 * random salt, its parameters encoded in the string, so a later change of parameters still verifies
 * old hashes). Parameters: OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE (2 passes, 64 MiB): what
 * libsodium recommends for online logins; MODERATE (256 MiB, ~0.7 s) would let a handful of
 * concurrent logins exhaust a small branch server. docs/security.md.
 * Never log a password or a hash; buffers holding a password are the caller's to wipe
 * (password_wipe). */
#ifndef VIGIE_PASSWORD_H
#define VIGIE_PASSWORD_H
#include <stddef.h>

#define PASSWORD_HASH_MAX 128  /* crypto_pwhash_STRBYTES, the terminating NUL included */
#define PASSWORD_MAX      1024 /* longer passwords are refused (bounded input) */

typedef enum {
	PASSWORD_OK = 0,
	PASSWORD_EMPTY,    /* "" is not a password */
	PASSWORD_TOO_LONG, /* over PASSWORD_MAX bytes */
	PASSWORD_NUL,      /* holds a NUL byte (from a file) */
	PASSWORD_CRYPTO,   /* libsodium failed (initialisation, out of memory) */
	PASSWORD_IO,       /* the file cannot be read (*io_errno tells why) */
} password_rc;

const char *password_strerror(password_rc rc);

/* Hashes pw (len bytes) into out (cap >= PASSWORD_HASH_MAX). */
password_rc password_hash(const char *pw, size_t len, char *out, size_t cap);
/* 1 when pw matches the stored hash, 0 otherwise (an empty or malformed hash never matches).
 * The comparison is libsodium's (constant time in the hash). */
int password_verify(const char *hash, const char *pw, size_t len);
/* Zeroes a buffer in a way the compiler does not remove (sodium_memzero). */
void password_wipe(void *p, size_t n);
/* Reads a password from a file: its first line (a final "\n" or "\r\n" is not part of it). */
password_rc password_read_file(const char *path, char *buf, size_t cap, size_t *len, int *io_errno);

#endif
