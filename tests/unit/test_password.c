/* test_password.c: core/password.h: argon2id hashes that verify only the right password, bounded
 * input, and the password file's first line. */
#include <stdlib.h>
#include <unistd.h>

#include "core/password.h"
#include "t.h"

static void write_file(const char *path, const char *bytes, size_t n)
{
	FILE *f = fopen(path, "wb");
	T_OK(f != NULL, "create %s", path);
	if (!f) return;
	fwrite(bytes, 1, n, f);
	fclose(f);
}

int main(void)
{
	char h[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
	T_EQ_INT(password_hash("s3cret", 6, h, sizeof h), PASSWORD_OK, "hash");
	T_OK(strncmp(h, "$argon2id$", 10) == 0, "argon2id: %.12s", h);
	T_OK(strstr(h, "s3cret") == NULL, "the clear text is not in the hash");
	T_EQ_INT(password_verify(h, "s3cret", 6), 1, "the right password");
	T_EQ_INT(password_verify(h, "s3cre", 5), 0, "a prefix");
	T_EQ_INT(password_verify(h, "s3cret!", 7), 0, "longer");
	T_EQ_INT(password_verify(h, "S3cret", 6), 0, "case");
	T_EQ_INT(password_hash("s3cret", 6, h2, sizeof h2), PASSWORD_OK, "hash again");
	T_OK(strcmp(h, h2) != 0, "a random salt: two hashes differ");
	T_EQ_INT(password_verify(h2, "s3cret", 6), 1, "both verify");
	T_EQ_INT(password_verify("", "s3cret", 6), 0, "no hash never matches");
	T_EQ_INT(password_verify("$argon2id$garbage", "s3cret", 6), 0, "a malformed hash never matches");
	T_EQ_INT(password_verify(NULL, "s3cret", 6), 0, "NULL hash");
	T_EQ_INT(password_hash("", 0, h, sizeof h), PASSWORD_EMPTY, "empty");
	T_EQ_INT(password_hash("a\0b", 3, h, sizeof h), PASSWORD_NUL, "NUL");
	static char big[PASSWORD_MAX + 1];
	memset(big, 'x', sizeof big);
	T_EQ_INT(password_hash(big, PASSWORD_MAX + 1, h, sizeof h), PASSWORD_TOO_LONG, "too long");
	T_EQ_INT(password_hash(big, PASSWORD_MAX, h, sizeof h), PASSWORD_OK, "the longest");
	T_EQ_INT(password_hash("x", 1, h, 16), PASSWORD_CRYPTO, "no room for the hash");

	char dir[] = "/tmp/vigie-test-pw.XXXXXX", path[64], buf[PASSWORD_MAX + 2];
	T_OK(mkdtemp(dir) != NULL, "tmpdir");
	snprintf(path, sizeof path, "%s/pw", dir);
	size_t len;
	int err;
	write_file(path, "pa ss\r\nsecond line\n", 19);
	T_EQ_INT(password_read_file(path, buf, sizeof buf, &len, &err), PASSWORD_OK, "read");
	T_EQ_STR(buf, "pa ss", "the first line, without CRLF");
	T_EQ_INT(len, 5, "length");
	write_file(path, "nonl", 4);
	T_EQ_INT(password_read_file(path, buf, sizeof buf, &len, &err), PASSWORD_OK, "no final newline");
	T_EQ_STR(buf, "nonl", "whole file");
	write_file(path, "\n", 1);
	T_EQ_INT(password_read_file(path, buf, sizeof buf, &len, &err), PASSWORD_EMPTY, "an empty line");
	write_file(path, big, sizeof big);
	T_EQ_INT(password_read_file(path, buf, sizeof buf, &len, &err), PASSWORD_TOO_LONG, "too long");
	write_file(path, "a\0b\n", 4);
	T_EQ_INT(password_read_file(path, buf, sizeof buf, &len, &err), PASSWORD_NUL, "a NUL byte");
	unlink(path);
	T_EQ_INT(password_read_file(path, buf, sizeof buf, &len, &err), PASSWORD_IO, "missing file");
	T_OK(err != 0, "with errno");
	rmdir(dir);
	return t_done("test_password");
}
