# shellcheck shell=bash
# ch_cluster.sh — a throwaway two-shard ClickHouse cluster on loopback, for
# tests/cli/test_sql.sh and tests/bench/bench_sql.sh (sourced, not run).
#
# ch_cluster_start DIR   start two clickhouse-server processes with their data,
#                        configs and logs in DIR/ch1 and DIR/ch2, on free
#                        loopback ports CH1 and CH2, forming the cluster "two"
#                        (one shard each); wait until both answer. 1 (with a
#                        message on stderr) when they do not.
# ch_cluster_stop        stop them (the caller's EXIT trap should call it)
# ch PORT ARGS...        clickhouse-client on 127.0.0.1:PORT
CH_SERVER=${CH_SERVER:-/usr/sbin/clickhouse-server}
ch_pids=()

ch() { local port=$1; shift; command clickhouse-client --host 127.0.0.1 --port "$port" "$@"; }

ch_cluster_start() {
    local dir=$1 n port
    read -r CH1 CH2 < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
    for n in 1 2; do
        mkdir -p "$dir/ch$n"
        port=$([ "$n" = 1 ] && echo "$CH1" || echo "$CH2")
        cat >"$dir/ch$n/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/ch$n/log</log><errorlog>$dir/ch$n/err</errorlog></logger>
  <tcp_port>$port</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$dir/ch$n/data/</path>
  <tmp_path>$dir/ch$n/tmp/</tmp_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <timezone>UTC</timezone>
  <remote_servers><two>
    <shard><replica><host>127.0.0.1</host><port>$CH1</port></replica></shard>
    <shard><replica><host>127.0.0.1</host><port>$CH2</port></replica></shard>
  </two></remote_servers>
</yandex>
XML
        "$CH_SERVER" --config-file="$dir/ch$n/config.xml" >"$dir/ch$n/out" 2>&1 &
        ch_pids+=($!)
    done
    for port in "$CH1" "$CH2"; do
        for _ in $(seq 1 100); do ch "$port" -q 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.1; done
        if ! ch "$port" -q 'SELECT 1' >/dev/null 2>&1; then
            echo "ClickHouse on port $port did not start: $(tail -c 1500 "$dir"/ch*/out)" >&2
            return 1
        fi
    done
}

ch_cluster_stop() {
    local p
    for p in "${ch_pids[@]+"${ch_pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
    for p in "${ch_pids[@]+"${ch_pids[@]}"}"; do wait "$p" 2>/dev/null || true; done
    ch_pids=()
}

# ch_cluster_load DUMPDIR LOADSCRIPT: run segrt sql --load's commands against
# the first server, then wait until the Distributed tables hold every row of
# the dump (18.16 sends Distributed inserts to the shards asynchronously).
ch_cluster_load() {
    local dump=$1 load=$2 t want _
    (clickhouse-client() { ch "$CH1" "$@"; }; source "$load") || return 1
    for t in contacts events consents; do
        want=$(wc -l <"$dump/$t.jsonl")
        for _ in $(seq 1 600); do [ "$(ch "$CH1" -q "SELECT count() FROM $t")" = "$want" ] && break; sleep 0.2; done
    done
}
