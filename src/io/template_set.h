/* template_set.h: a directory of message templates, loaded whole, and the lookups the daily run and
 * `vigie template` need.
 * Layout: DIR/<lang>/<name>.<channel>, lang fr or en, name letters, digits, '_' and '-' (at most 63
 * bytes, as a policy's template names), channel sms, email or letter (docs/templates.md). Files at
 * the top of DIR (a README) and hidden entries are ignored; anything else is an error.
 * Promises: loading reports every problem (each file checked by core/template.h's parser, up to
 * TPL_MAX_ERRORS messages "FILE:LINE: ...") and gives a set only when there is none; the set owns
 * the texts. Lookups never fail silently: a missing template is TPL_ERR_NOT_FOUND. */
#ifndef VIGIE_TEMPLATE_SET_H
#define VIGIE_TEMPLATE_SET_H
#include "core/policy.h"
#include "core/template.h"

#define TPL_SET_MAX 4096 /* templates in one directory */

typedef struct tpl_set tpl_set;

typedef struct {
	const char *name; /* "relance_2" */
	const char *path; /* "DIR/fr/relance_2.email" */
	tpl_lang lang;
	unsigned channel; /* PCH_* */
	const tpl *t;
} tpl_set_item;

/* Loads every template under dir. On success *out is the set (tpl_set_free it); otherwise NULL with
 * the errors in errs (TPL_ERR_IO when dir cannot be read, TPL_ERR_SYNTAX, TPL_ERR_NOMEM). */
tpl_err tpl_set_load(const char *dir, tpl_set **out, tpl_errors *errs);
void tpl_set_free(tpl_set *s);

int tpl_set_size(const tpl_set *s);
/* Items in order of language, name, channel (sms, email, letter). */
tpl_set_item tpl_set_at(const tpl_set *s, int i);

/* The template (name, lang, channel), or NULL. */
const tpl *tpl_set_find(const tpl_set *s, const char *name, tpl_lang lang, unsigned channel);
/* The same, falling back on the language `fallback` when lang has no such template; *used (may be
 * NULL) gets the language found. NULL when neither has it. */
const tpl *tpl_set_find_fallback(const tpl_set *s, const char *name, tpl_lang lang, tpl_lang fallback,
                                 unsigned channel, tpl_lang *used);

/* Finds (with the fallback) and renders one message: the email subject into subject ("" for other
 * channels), the text into body. TPL_ERR_NOT_FOUND, or tpl_render's errors (TPL_ERR_MISSING with the
 * variables in *missing). *used gets the language of the template rendered. */
tpl_err tpl_set_render(const tpl_set *s, const char *name, tpl_lang lang, tpl_lang fallback, unsigned channel,
                       const tpl_values *v, char *subject, size_t subject_cap, char *body, size_t body_cap,
                       tpl_lang *used, uint32_t *missing);

/* Every template a policy needs, in each of langs: a message step needs one per channel; another step
 * that names a template (formal notice, insurance notice, court file: documents) needs a letter.
 * Each missing template is reported once (at its first step) as
 * "POLICY:LINE: segments[S].steps[K].template: expected DIR/fr/NAME.CHANNEL, found no such template".
 * Returns the number missing. No fallback language here: a check asks for every language. */
int tpl_set_check_policy(const tpl_set *s, const char *dir, const policy *p, const char *policy_label,
                         const tpl_lang *langs, int n_langs, tpl_errors *errs);

#endif
