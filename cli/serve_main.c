/*
 * serve_main.c — segrt-serve: the program behind `segrt serve` and `segrt
 * outbox`, which segrt execs (main.c). They are a program of their own so
 * that every other command starts without loading libmicrohttpd, libcurl
 * and the TLS and HTTP libraries they bring (about 30 shared libraries:
 * several milliseconds on each cold start).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "outbox") == 0)
        return cmd_outbox(argc - 1, argv + 1);
    fprintf(stderr, "usage: segrt-serve serve|outbox [OPTIONS] (run as segrt serve, segrt outbox)\n");
    return EXIT_USAGE;
}
