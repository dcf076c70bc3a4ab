#!/usr/bin/env bash
# A sweep as a real Slurm job array on this machine: installs Slurm and munge (Debian's
# packages) if missing, starts munged, slurmctld and slurmd on a single-node configuration
# written to a temporary folder, submits `backprop sweep` over a 16-configuration grid as
# `sbatch --array=0-3 --wait`, merges the shards with `--report`, and checks that every model
# is byte-identical to the same sweep run in one local process. Stops the daemons and
# removes the folder at the end. Exits 0 only if all of that holds.
#
# usage: Tests/slurm/run.sh [PATH/TO/backprop]   (default: .build/release/backprop); as root
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$(realpath "${1:-.build/release/backprop}")
fail() { echo "slurm test: FAILED: $*" >&2; exit 1; }
[ -x "$binary" ] || fail "no executable at $binary (build with swift build -c release)"
[ "$(id -u)" = 0 ] || fail "needs root (to run munged as munge and the Slurm daemons)"

if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null || ! command -v munged > /dev/null; then
    echo "slurm test: installing slurm-wlm and munge"
    apt-get update -qq > /dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge > /dev/null
fi

work=$(mktemp -d /tmp/backprop-slurm.XXXXXX)
chmod 755 "$work"
started_munge=""
cleanup() {
    set +e
    if [ -f "$work/slurmctld.pid" ]; then SLURM_CONF="$work/slurm.conf" scancel --quiet --user=root 2> /dev/null; fi
    for daemon in slurmd slurmctld; do
        [ -f "$work/$daemon.pid" ] && kill "$(cat "$work/$daemon.pid")" 2> /dev/null
    done
    sleep 1
    [ -n "$started_munge" ] && kill "$started_munge" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# munge: the package's key, its user's folders, and the daemon as that user (it refuses
# folders it does not own). An munged already answering is used as it is.
if ! (munge -n | unmunge) > /dev/null 2>&1; then
    [ -f /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key 2> /dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /etc/munge/munge.key /run/munge /var/log/munge /var/lib/munge
    chmod 400 /etc/munge/munge.key
    chmod 755 /run/munge
    runuser -u munge -- munged --force
    for _ in $(seq 50); do (munge -n | unmunge) > /dev/null 2>&1 && break; sleep 0.1; done
    (munge -n | unmunge) > /dev/null 2>&1 || fail "munged did not start"
    started_munge=$(pgrep -u munge -n munged || true)
fi

node=$(hostname -s)
cpus=$(nproc)
memory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512))
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" << CONF
ClusterName=backprop-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -5 "$work/slurmctld.log" 2> /dev/null)"
slurmd -f "$SLURM_CONF" -N "$node" || fail "slurmd did not start: $(tail -5 "$work/slurmd.log" 2> /dev/null)"
for _ in $(seq 100); do sinfo -h -o %T 2> /dev/null | grep -q idle && break; sleep 0.2; done
sinfo -h -o %T | grep -q idle || fail "the node never became idle: $(sinfo 2>&1; tail -5 "$work/slurmctld.log")"

# 2 learning rates × 2 seeds × 2 batch sizes × 2 momentums: 16 configurations, 4 shards.
grid=(--learning-rate 0.3,1 --seed 1,2 --batch-size 16,64 --momentum 0,0.9 --epochs 20 --samples 1000 --validation-split 0.2)
cat > "$work/job.sh" << JOB
#!/bin/bash
#SBATCH --job-name=backprop-sweep
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/job-%A_%a.out
exec "$binary" sweep --out "$work/cluster" ${grid[*]} --threads 1 --quiet
JOB
echo "slurm test: sbatch --array=0-3 --wait (Slurm $(sbatch --version | awk '{print $2}'), node $node, $cpus CPUs)"
sbatch --array=0-3 --wait "$work/job.sh" > /dev/null || fail "the job array failed: $(cat "$work"/job-*.out 2> /dev/null | tail -5)"
for shard in 0 1 2 3; do
    [ -f "$work/cluster/results-shard-$shard-of-4.jsonl" ] || fail "shard $shard wrote no results-shard-$shard-of-4.jsonl"
done
"$binary" sweep --report "$work/cluster" > "$work/report.txt" || fail "sweep --report failed"
[ "$(wc -l < "$work/report.txt")" = 17 ] || fail "the report has not 16 configurations: $(cat "$work/report.txt")"

"$binary" sweep --out "$work/local" "${grid[@]}" --quiet || fail "the local sweep failed"
models=0
for model in "$work"/local/models/*.json; do
    cmp -s "$model" "$work/cluster/models/$(basename "$model")" || fail "$(basename "$model") differs between the job array and one process"
    models=$((models + 1))
done
[ "$models" = 16 ] || fail "$models models, not 16"
[ "$(ls "$work"/cluster/models | wc -l)" = 16 ] || fail "the job array did not write 16 models"
head -4 "$work/report.txt"
echo "slurm test: passed: 4 array tasks wrote 16 models, byte-identical to one process's, and the report merged them"
