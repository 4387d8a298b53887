/*
 * Boot configuration from command lines. A domain module's line is
 *   [file-name] domain=NAME mem=SIZE [cpu=N] [vcpus=1] [pci=BB:DD.F,...] [restart=N]
 * the policy module's is "[file-name] kind=policy"; the core's line is a list of key=value options. Unknown keys, repeated
 * keys and malformed values are errors: a typo must not change policy.
 */
#include <core/config.h>
#include <core/console.h>
#include <core/lib.h>
#include <tessera/errno.h>
#include <tessera/layout.h>

#define CONFIG_MAX_WORDS 16
#define CONFIG_CPU_MAX ARCH_CPU_MAX

struct word {
	const char *key, *val;
	size_t klen, vlen;
};

static char errbuf[96];

static int fail(const char **why, const char *fmt, const struct word *w)
{
	if (w)
		ksnprintf(errbuf, sizeof(errbuf), fmt, (int)w->klen, w->key);
	else
		ksnprintf(errbuf, sizeof(errbuf), "%s", fmt);
	*why = errbuf;
	return -TESSERA_EINVAL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Split into key=value words; a first word without '=' (a file name) is skipped. */
static int split(const char *s, struct word *w, uint32_t *n, const char **why)
{
	*n = 0;
	for (bool first = true;; first = false) {
		const char *start, *eq = NULL;
		while (is_space(*s))
			s++;
		if (!*s)
			return 0;
		start = s;
		while (*s && !is_space(*s)) {
			if (*s == '=' && !eq)
				eq = s;
			s++;
		}
		if (!eq) {
			if (first)
				continue;
			return fail(why, "unexpected word without '='", NULL);
		}
		if (*n >= CONFIG_MAX_WORDS)
			return fail(why, "too many options", NULL);
		w[*n] = (struct word){ start, eq + 1, (size_t)(eq - start), (size_t)(s - eq - 1) };
		for (uint32_t i = 0; i < *n; i++)
			if (w[i].klen == w[*n].klen && !memcmp(w[i].key, start, w[i].klen))
				return fail(why, "option '%.*s' given twice", &w[*n]);
		(*n)++;
	}
}

static bool key_is(const struct word *w, const char *k)
{
	return w->klen == strlen(k) && !memcmp(w->key, k, w->klen);
}

static bool val_is(const struct word *w, const char *v)
{
	return w->vlen == strlen(v) && !memcmp(w->val, v, w->vlen);
}

/* n decimal digits (at most 12), nothing else. */
static bool parse_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > 12)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Decimal with an optional K, M or G suffix; rejects overflow and junk. */
static bool parse_size(const struct word *w, uint64_t *out)
{
	uint64_t v, mul = 1;
	size_t n = w->vlen;
	if (n && (w->val[n - 1] == 'K' || w->val[n - 1] == 'M' || w->val[n - 1] == 'G')) {
		mul = w->val[n - 1] == 'K' ? 1ULL << 10 : w->val[n - 1] == 'M' ? 1ULL << 20 : 1ULL << 30;
		n--;
	}
	return parse_digits(w->val, n, &v) && !__builtin_mul_overflow(v, mul, out);
}

/* n hex digits (1..max), nothing else. */
static bool parse_hex(const char *s, size_t n, size_t max, uint32_t *out)
{
	uint32_t v = 0;
	if (!n || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		uint32_t d = c >= '0' && c <= '9' ? (uint32_t)(c - '0') :
			     c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10) : 16;
		if (d > 15)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* [SSSS:]BB:DD.F in lower-case hex, as the policy's `label device` writes it. */
static bool parse_sbdf(const char *s, size_t n, uint32_t *sbdf)
{
	uint32_t seg = 0, bus, dev, fn;
	if (n == 12) {
		if (s[4] != ':' || !parse_hex(s, 4, 4, &seg) || seg > 0xff)
			return false;
		s += 5;
		n -= 5;
	}
	if (n != 7 || s[2] != ':' || s[5] != '.' || !parse_hex(s, 2, 2, &bus) ||
	    !parse_hex(s + 3, 2, 2, &dev) || dev > 0x1f || !parse_hex(s + 6, 1, 1, &fn) || fn > 7)
		return false;
	*sbdf = seg << 16 | bus << 8 | dev << 3 | fn;
	return true;
}

static bool parse_devices(const struct word *w, struct domain_config *dc)
{
	size_t start = 0;
	for (size_t i = 0; i <= w->vlen; i++) {
		if (i < w->vlen && w->val[i] != ',')
			continue;
		if (dc->ndevs == TESSERA_DEVICES_MAX ||
		    !parse_sbdf(w->val + start, i - start, &dc->devs[dc->ndevs]))
			return false;
		for (uint32_t k = 0; k < dc->ndevs; k++)
			if (dc->devs[k] == dc->devs[dc->ndevs])
				return false;
		dc->ndevs++;
		start = i + 1;
	}
	return true;
}

static bool valid_name(const struct word *w)
{
	if (!w->vlen || w->vlen >= TESSERA_NAME_MAX)
		return false;
	for (size_t i = 0; i < w->vlen; i++) {
		char c = w->val[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

int config_parse_domain(const char *cmdline, struct domain_config *dc, const char **why)
{
	struct word w[CONFIG_MAX_WORDS];
	uint32_t n;
	int rc = split(cmdline, w, &n, why);
	if (rc)
		return rc;
	memset(dc, 0, sizeof(*dc));
	dc->vcpus = 1;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v;
		if (key_is(&w[i], "domain")) {
			if (!valid_name(&w[i]))
				return fail(why, "domain name must be 1-15 of [a-z0-9_-]", NULL);
			memcpy(dc->name, w[i].val, w[i].vlen);
		} else if (key_is(&w[i], "mem")) {
			if (!parse_size(&w[i], &v) || v < TESSERA_DOMAIN_MEM_MIN ||
			    v > TESSERA_DOMAIN_MEM_MAX || v % TESSERA_DOMAIN_MEM_ALIGN)
				return fail(why, "mem must be a multiple of 2M from 2M to 1G", NULL);
			dc->mem = v;
		} else if (key_is(&w[i], "cpu")) {
#ifdef FUZZ_PLANTED_BUG /* cpu=8 accepted (fuzz/planted.sh) */
			if (!parse_digits(w[i].val, w[i].vlen, &v) || v > CONFIG_CPU_MAX)
#else
			if (!parse_digits(w[i].val, w[i].vlen, &v) || v >= CONFIG_CPU_MAX)
#endif
				return fail(why, "cpu must be a CPU number from 0 to 7", NULL);
			dc->cpu = (uint32_t)v;
		} else if (key_is(&w[i], "pci")) {
			if (!parse_devices(&w[i], dc))
				return fail(why, "pci must list up to 8 distinct functions as [SSSS:]BB:DD.F", NULL);
		} else if (key_is(&w[i], "restart")) {
			if (!parse_digits(w[i].val, w[i].vlen, &v) || v > CONFIG_RESTART_MAX)
				return fail(why, "restart must be a count from 0 to 100", NULL);
			dc->restart = (uint32_t)v;
		} else if (key_is(&w[i], "tpm")) {
			if (w[i].vlen != 1 || w[i].val[0] != '1')
				return fail(why, "tpm must be 1 (this domain gets the TPM after boot)", NULL);
			dc->tpm = true;
		} else if (key_is(&w[i], "vcpus")) {
			if (!parse_size(&w[i], &v) || v != 1)
				return fail(why, "vcpus must be 1 (SMP domains are not supported yet)", NULL);
			dc->vcpus = 1;
		} else {
			return fail(why, "unknown option '%.*s'", &w[i]);
		}
	}
	if (!dc->name[0])
		return fail(why, "not a domain module (no domain=NAME)", NULL);
	if (!dc->mem)
		return fail(why, "mem=SIZE is required", NULL);
	return 0;
}

int config_module_is_policy(const char *cmdline, const char **why)
{
	struct word w[CONFIG_MAX_WORDS];
	uint32_t n;
	int rc = split(cmdline, w, &n, why);
	for (uint32_t i = 0; !rc && i < n; i++) {
		if (!key_is(&w[i], "kind"))
			continue;
		if (w[i].vlen != 6 || memcmp(w[i].val, "policy", 6))
			return fail(why, "kind must be policy (domains need no kind)", NULL);
		if (n != 1)
			return fail(why, "a policy module takes no other options", NULL);
		return 1;
	}
	return rc;
}

int config_parse_core(const char *cmdline, struct core_config *cc, const char **why)
{
	struct word w[CONFIG_MAX_WORDS];
	uint32_t n;
	int rc = split(cmdline, w, &n, why);
	if (rc)
		return rc;
	memset(cc, 0, sizeof(*cc));
	/* Every valid option still takes effect when another is bad, so a test machine
	 * that asked for debug_exit learns that the core refused to start. */
	for (uint32_t i = 0; i < n; i++) {
		const char *err = NULL;
		const struct word *arg = NULL;
		if (key_is(&w[i], "debug_exit")) {
			if (w[i].vlen == 2 && !memcmp(w[i].val, "on", 2))
				cc->debug_exit = DEBUG_EXIT_QEMU;
			else if (w[i].vlen == 5 && !memcmp(w[i].val, "bochs", 5))
				cc->debug_exit = DEBUG_EXIT_BOCHS;
			else if (!(w[i].vlen == 3 && !memcmp(w[i].val, "off", 3)))
				err = "debug_exit must be on, bochs or off";
		} else if (key_is(&w[i], "selftest")) {
			if (w[i].vlen == 4 && !memcmp(w[i].val, "trap", 4))
				cc->selftest_trap = true;
			else
				err = "selftest must be trap";
		} else if (key_is(&w[i], "tpm")) {
			if (val_is(&w[i], "auto"))
				cc->tpm = CONFIG_TPM_AUTO;
			else if (val_is(&w[i], "off"))
				cc->tpm = CONFIG_TPM_OFF;
			else if (val_is(&w[i], "required"))
				cc->tpm = CONFIG_TPM_REQUIRED;
			else
				err = "tpm must be off, auto or required";
		} else if (key_is(&w[i], "tpm_selftest")) {
			if (val_is(&w[i], "1") || val_is(&w[i], "0"))
				cc->tpm_selftest = val_is(&w[i], "1");
			else
				err = "tpm_selftest must be 0 or 1";
		} else {
			err = "unknown option '%.*s'";
			arg = &w[i];
		}
		if (err && !rc) /* the first error is the one reported */
			rc = fail(why, err, arg);
	}
	return rc;
}
