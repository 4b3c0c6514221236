/* template_set.c: loads a directory of templates (DIR/<lang>/<name>.<channel>), finds and renders
 * them, and checks that a policy has all it needs (see template_set.h). */
#include "io/template_set.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
	char name[TPL_NAME_MAX];
	char *path, *text;
	tpl_lang lang;
	unsigned channel;
	tpl *t;
} entry;

struct tpl_set {
	entry *e;
	int n;
};

void tpl_set_free(tpl_set *s)
{
	if (!s) return;
	for (int i = 0; i < s->n; i++) {
		free(s->e[i].path);
		free(s->e[i].text);
		free(s->e[i].t);
	}
	free(s->e);
	free(s);
}

int tpl_set_size(const tpl_set *s)
{
	return s->n;
}

tpl_set_item tpl_set_at(const tpl_set *s, int i)
{
	const entry *e = &s->e[i];
	return (tpl_set_item){e->name, e->path, e->lang, e->channel, e->t};
}

static int channel_rank(unsigned ch)
{
	return ch == PCH_SMS ? 0 : ch == PCH_EMAIL ? 1 : 2;
}

static int entry_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	if (x->lang != y->lang) return x->lang < y->lang ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (c) return c;
	return channel_rank(x->channel) - channel_rank(y->channel);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the visible entries of a directory (NULL-terminated, malloc'd), or NULL. */
static char **list_dir(const char *path, int *n, int *nomem)
{
	DIR *d = opendir(path);
	*n = 0;
	*nomem = 0;
	if (!d) return NULL;
	size_t cap = 16;
	char **v = malloc(cap * sizeof *v);
	struct dirent *de;
	while (v && (de = readdir(d))) {
		if (de->d_name[0] == '.') continue;
		if ((size_t)*n + 1 >= cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof *v);
			if (!nv) {
				for (int i = 0; i < *n; i++)
					free(v[i]);
				free(v);
				v = NULL;
				break;
			}
			v = nv;
		}
		if (!(v[*n] = strdup(de->d_name))) {
			*nomem = 1;
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (!v || *nomem) {
		if (v)
			for (int i = 0; i < *n; i++)
				free(v[i]);
		free(v);
		*nomem = 1;
		return NULL;
	}
	qsort(v, (size_t)*n, sizeof *v, str_cmp);
	v[*n] = NULL;
	return v;
}

static void free_list(char **v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int is_name(const char *s, size_t len)
{
	if (len == 0 || len >= TPL_NAME_MAX) return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Reads a whole file of at most TPL_MAX_BYTES into a malloc'd buffer. */
static char *read_file(const char *path, size_t *len, const char **why)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*why = strerror(errno);
		return NULL;
	}
	char *buf = malloc(TPL_MAX_BYTES + 1);
	size_t n = buf ? fread(buf, 1, TPL_MAX_BYTES + 1, f) : 0;
	int err = ferror(f);
	fclose(f);
	if (!buf || err || n > TPL_MAX_BYTES) {
		*why = !buf ? "out of memory" : err ? "read error" : "file too large";
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);
	if (!p) return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

/* Loads one language directory; returns -1 on out of memory (other problems go to errs). */
static int load_lang(tpl_set *s, int *cap, const char *ldir, tpl_lang lang, tpl_errors *errs)
{
	int n, nomem;
	char **names = list_dir(ldir, &n, &nomem);
	if (!names) {
		if (nomem) return -1;
		tpl_errors_add(errs, "%s: cannot read the directory: %s", ldir, strerror(errno));
		return 0;
	}
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char *path = join(ldir, names[i]);
		if (!path) {
			rc = -1;
			break;
		}
		const char *dot = strrchr(names[i], '.');
		int ch = dot ? policy_channel_parse(dot + 1) : -1;
		struct stat st;
		if (!dot || ch < 0 || !is_name(names[i], (size_t)(dot - names[i]))) {
			tpl_errors_add(
			    errs,
			    "%s: expected a file NAME.sms, NAME.email or NAME.letter (NAME: letters, "
			    "digits, _ and -, at most %d bytes), found \"%s\"",
			    path, TPL_NAME_MAX - 1, names[i]);
			free(path);
			continue;
		}
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			tpl_errors_add(
			    errs, "%s: expected a regular file, found a directory or a special file", path);
			free(path);
			continue;
		}
		if (s->n >= TPL_SET_MAX) {
			tpl_errors_add(errs, "%s: expected at most %d templates, found more", path,
			               TPL_SET_MAX);
			free(path);
			break;
		}
		if (s->n >= *cap) {
			entry *ne = realloc(s->e, (size_t)(*cap = *cap ? *cap * 2 : 64) * sizeof *ne);
			if (!ne) {
				free(path);
				rc = -1;
				break;
			}
			s->e = ne;
		}
		const char *why = NULL;
		size_t len = 0;
		char *text = read_file(path, &len, &why);
		if (!text) {
			if (strcmp(why, "out of memory") == 0)
				rc = -1;
			else
				tpl_errors_add(errs, "%s: cannot read: %s", path, why);
			free(path);
			continue;
		}
		tpl *t = malloc(sizeof *t);
		if (!t) {
			free(text);
			free(path);
			rc = -1;
			break;
		}
		entry *e = &s->e[s->n++];
		memset(e, 0, sizeof *e);
		memcpy(e->name, names[i], (size_t)(dot - names[i]));
		e->path = path;
		e->text = text;
		e->lang = lang;
		e->channel = (unsigned)ch;
		e->t = t;
		tpl_parse(text, len, (unsigned)ch, path, t, errs);
	}
	free_list(names, n);
	return rc;
}

tpl_err tpl_set_load(const char *dir, tpl_set **out, tpl_errors *errs)
{
	*out = NULL;
	int before = errs->n + errs->more;
	tpl_set *s = calloc(1, sizeof *s);
	if (!s) return TPL_ERR_NOMEM;
	int n, nomem;
	char **names = list_dir(dir, &n, &nomem);
	if (!names) {
		tpl_set_free(s);
		if (nomem) return TPL_ERR_NOMEM;
		tpl_errors_add(errs, "%s: cannot read the template directory: %s", dir, strerror(errno));
		return TPL_ERR_IO;
	}
	int cap = 0, rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char *path = join(dir, names[i]);
		struct stat st;
		if (!path) {
			rc = -1;
			break;
		}
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			int lang = tpl_lang_parse(names[i]);
			if (lang < 0)
				tpl_errors_add(errs,
				               "%s: expected a language directory (fr or en), found \"%s\"",
				               path, names[i]);
			else
				rc = load_lang(s, &cap, path, (tpl_lang)lang, errs);
		}
		free(path);
	}
	free_list(names, n);
	if (rc) {
		tpl_set_free(s);
		return TPL_ERR_NOMEM;
	}
	if (errs->n + errs->more > before) {
		tpl_set_free(s);
		return TPL_ERR_SYNTAX;
	}
	if (s->n) qsort(s->e, (size_t)s->n, sizeof *s->e, entry_cmp);
	*out = s;
	return TPL_OK;
}

const tpl *tpl_set_find(const tpl_set *s, const char *name, tpl_lang lang, unsigned channel)
{
	for (int i = 0; i < s->n; i++)
		if (s->e[i].lang == lang && s->e[i].channel == channel && strcmp(s->e[i].name, name) == 0)
			return s->e[i].t;
	return NULL;
}

const tpl *tpl_set_find_fallback(const tpl_set *s, const char *name, tpl_lang lang, tpl_lang fallback,
                                 unsigned channel, tpl_lang *used)
{
	const tpl *t = tpl_set_find(s, name, lang, channel);
	tpl_lang l = lang;
	if (!t && fallback != lang) t = tpl_set_find(s, name, l = fallback, channel);
	if (t && used) *used = l;
	return t;
}

tpl_err tpl_set_render(const tpl_set *s, const char *name, tpl_lang lang, tpl_lang fallback, unsigned channel,
                       const tpl_values *v, char *subject, size_t subject_cap, char *body, size_t body_cap,
                       tpl_lang *used, uint32_t *missing)
{
	tpl_lang l = lang;
	if (missing) *missing = 0;
	const tpl *t = tpl_set_find_fallback(s, name, lang, fallback, channel, &l);
	if (!t) return TPL_ERR_NOT_FOUND;
	if (used) *used = l;
	return tpl_render(t, v, l, subject, subject_cap, body, body_cap, missing);
}

int tpl_set_check_policy(const tpl_set *s, const char *dir, const policy *p, const char *policy_label,
                         const tpl_lang *langs, int n_langs, tpl_errors *errs)
{
	/* (name, lang, channel) already reported, to report each once */
	struct seen {
		const char *name;
		tpl_lang lang;
		unsigned ch;
	} *seen = NULL;
	int n_seen = 0, cap = 0, missing = 0;
	for (int g = 0; g < p->n_seg; g++)
		for (int k = 0; k < p->seg[g].n_steps; k++) {
			const policy_step *st = &p->seg[g].steps[k];
			if (!st->template_name[0]) continue;
			unsigned chans = st->action == PACT_MESSAGE ? st->channels : PCH_LETTER;
			for (int li = 0; li < n_langs; li++)
				for (unsigned bit = 1; bit < (1u << PCH_N); bit <<= 1) {
					if (!(chans & bit) ||
					    tpl_set_find(s, st->template_name, langs[li], bit))
						continue;
					int dup = 0;
					for (int i = 0; i < n_seen && !dup; i++)
						dup = seen[i].lang == langs[li] && seen[i].ch == bit &&
						      strcmp(seen[i].name, st->template_name) == 0;
					if (dup) continue;
					if (n_seen >= cap) {
						struct seen *ns = realloc(
						    seen, (size_t)(cap = cap ? cap * 2 : 32) * sizeof *ns);
						if (!ns) {
							free(seen);
							tpl_errors_add(errs, "%s: out of memory",
							               policy_label);
							return missing + 1;
						}
						seen = ns;
					}
					seen[n_seen++] = (struct seen){st->template_name, langs[li], bit};
					missing++;
					tpl_errors_add(
					    errs,
					    "%s:%d: segments[%d].steps[%d].template: expected %s/%s/%s.%s, "
					    "found no such template",
					    policy_label, st->line, g + 1, k + 1, dir,
					    tpl_lang_name(langs[li]), st->template_name,
					    policy_channel_name(bit));
				}
		}
	free(seen);
	return missing;
}
