// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas-fuzz without libFuzzer: replays inputs (files, or every file of a
 * directory), or runs random inputs from a seed, through the same entry
 * point. Builds with any C compiler.
 *
 *   vas-fuzz-replay FILE|DIR...
 *   vas-fuzz-replay -s SEED -n RUNS [-l MAXLEN]
 *
 * A random input that fails is written to ./crash-vas-fuzz first, so that
 * it can be replayed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *cur_data;
static size_t cur_size;

static void save_input(int sig)
{
	int fd = open("crash-vas-fuzz", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, cur_data, cur_size) < 0)
			_exit(2);
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path)
{
	uint8_t *data;
	size_t size;
	FILE *f;
	long n;

	f = fopen(path, "rb");
	n = f && !fseek(f, 0, SEEK_END) ? ftell(f) : -1;
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	rewind(f);
	size = n;
	data = malloc(size ?: 1);
	if (!data || fread(data, 1, size, f) != size) {
		fprintf(stderr, "%s: read failed\n", path);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int run_path(const char *path, int *runs)
{
	struct dirent *de;
	struct stat st;
	char name[4096];
	int err = 0;
	DIR *dir;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*runs)++;
		return run_file(path);
	}
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s/%s", path, de->d_name);
		err |= run_path(name, runs);
	}
	if (dir)
		closedir(dir);
	return err;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1, runs = 0, i;
	size_t maxlen = 4096, len, j;
	uint8_t *data;
	uint64_t s;
	int opt, err = 0, n = 0;

	while ((opt = getopt(argc, argv, "s:n:l:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			runs = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			maxlen = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr,
				"usage: %s [-s SEED -n RUNS [-l MAXLEN]] [FILE|DIR...]\n",
				argv[0]);
			return 2;
		}
	}
	for (; optind < argc; optind++)
		err |= run_path(argv[optind], &n);

	data = malloc(maxlen ?: 1);
	if (!data)
		return 1;
	signal(SIGABRT, save_input);
	signal(SIGSEGV, save_input);
	s = seed * 0x9e3779b97f4a7c15ULL | 1;
	for (i = 0; i < runs; i++) {
		len = next(&s) % (maxlen + 1);
		for (j = 0; j < len; j++)
			data[j] = next(&s) >> 32;
		cur_data = data;
		cur_size = len;
		LLVMFuzzerTestOneInput(data, len);
	}
	free(data);
	printf("vas-fuzz: %d inputs replayed, %llu random inputs from seed %llu: no failure\n",
	       n, runs, seed);
	return err;
}
