/* password.c: argon2id hashes through libsodium (password.h). sodium_init() is called once, before
 * the first use (it is thread-safe and idempotent). */
#include "core/password.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "room for a hash string");

static int ready(void)
{
	static int done;
	if (!done) done = sodium_init() >= 0;
	return done;
}

const char *password_strerror(password_rc rc)
{
	switch (rc) {
	case PASSWORD_OK:
		return "ok";
	case PASSWORD_EMPTY:
		return "the password is empty";
	case PASSWORD_TOO_LONG:
		return "the password is longer than 1024 bytes";
	case PASSWORD_NUL:
		return "the password holds a NUL byte";
	case PASSWORD_CRYPTO:
		return "the password could not be hashed (libsodium)";
	case PASSWORD_IO:
		return "the password file cannot be read";
	}
	return "?";
}

static password_rc check(const char *pw, size_t len)
{
	if (!pw || len == 0) return PASSWORD_EMPTY;
	if (len > PASSWORD_MAX) return PASSWORD_TOO_LONG;
	if (memchr(pw, 0, len)) return PASSWORD_NUL;
	return PASSWORD_OK;
}

password_rc password_hash(const char *pw, size_t len, char *out, size_t cap)
{
	password_rc rc = check(pw, len);
	if (rc) return rc;
	if (cap < crypto_pwhash_STRBYTES || !ready()) return PASSWORD_CRYPTO;
	if (crypto_pwhash_str(out, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return PASSWORD_CRYPTO;
	return PASSWORD_OK;
}

int password_verify(const char *hash, const char *pw, size_t len)
{
	if (!hash || !*hash || check(pw, len) != PASSWORD_OK || !ready()) return 0;
	if (strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES) return 0;
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

void password_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

password_rc password_read_file(const char *path, char *buf, size_t cap, size_t *len, int *io_errno)
{
	*len = 0;
	*io_errno = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		*io_errno = errno;
		return PASSWORD_IO;
	}
	/* read one byte more than a password may hold, to tell "too long" */
	size_t n = 0;
	int c;
	while ((c = fgetc(f)) != EOF && c != '\n') {
		if (n + 1 >= cap || n >= PASSWORD_MAX) {
			n = PASSWORD_MAX + 1;
			break;
		}
		buf[n++] = (char)c;
	}
	if (ferror(f)) *io_errno = errno ? errno : EIO;
	fclose(f);
	if (n > PASSWORD_MAX) {
		password_wipe(buf, cap);
		return PASSWORD_TOO_LONG;
	}
	if (n && buf[n - 1] == '\r') n--;
	if (*io_errno) {
		password_wipe(buf, cap);
		return PASSWORD_IO;
	}
	buf[n] = '\0';
	*len = n;
	return check(buf, n);
}
