#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for tests of the suite's Slurm launcher (issue 17):
# munged, slurmctld and slurmd from Debian's munge and slurm-wlm, configured for this host's CPUs
# and memory, state and logs under $ROMI_SLURM_DIR (default /tmp/romi-slurm), slurmctld on port
# $ROMI_SLURM_PORT (default 6817) and slurmd on $ROMI_SLURMD_PORT (default 6818). A test gives its
# own directory and ports, so its cluster never meets another one on the machine.
#
#   tools/local_slurm.sh start    install what is missing, write slurm.conf, start the daemons and
#                                 wait (bounded) until the node is idle; prints SLURM_CONF=...
#   tools/local_slurm.sh stop     shut this directory's daemons down (munged is left running)
#   tools/local_slurm.sh env      the export line for SLURM_CONF
#
# Needs root (or sudo) for the packages and munge's key. Works without cgroups or systemd:
# proctrack/linuxproc and task/none, the daemons started by hand.
set -euo pipefail
# The daemons live in sbin, which a test's or a user's PATH may lack.
export PATH="${PATH}:/usr/sbin:/sbin"

readonly DIR="${ROMI_SLURM_DIR:-/tmp/romi-slurm}"
readonly CONF="${DIR}/slurm.conf"
readonly CTLD_PORT="${ROMI_SLURM_PORT:-6817}"
readonly SLURMD_PORT="${ROMI_SLURMD_PORT:-6818}"
log() { printf '[local_slurm] %s\n' "$*" >&2; }

# True when the daemon whose pid file is $1 is alive.
running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then SUDO=(sudo); fi

install_packages() {
  local missing=()
  for pkg in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("${pkg}")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]}"
    # Through env: sudo's env_reset would drop a DEBIAN_FRONTEND set before it.
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"
  fi
}

start_munge() {
  "${SUDO[@]}" mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
  if [[ ! -f /etc/munge/munge.key ]]; then "${SUDO[@]}" mungekey -c; fi
  "${SUDO[@]}" chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    "${SUDO[@]}" munged --force
  fi
  munge -n | unmunge >/dev/null || { log "error: munge does not authenticate" >&2; exit 1; }
}

write_conf() {
  local host cpus memory_mb
  host="$(hostname -s)"
  cpus="$(nproc)"
  # Leave 2 GiB to the system; slurmd refuses a node that claims more than it has.
  memory_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 2048))
  mkdir -p "${DIR}/state" "${DIR}/spool" "${DIR}/log"
  cat >"${CONF}" <<EOF
ClusterName=romi
SlurmctldHost=${host}
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=${DIR}/state
SlurmdSpoolDir=${DIR}/spool
SlurmctldPidFile=${DIR}/slurmctld.pid
SlurmdPidFile=${DIR}/slurmd.pid
SlurmctldLogFile=${DIR}/log/slurmctld.log
SlurmdLogFile=${DIR}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
NodeName=${host} CPUs=${cpus} RealMemory=${memory_mb} State=UNKNOWN
PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF
}

case "${1:-}" in
  start)
    install_packages
    start_munge
    write_conf
    export SLURM_CONF="${CONF}"
    running "${DIR}/slurmctld.pid" || "${SUDO[@]}" slurmctld -f "${CONF}"
    running "${DIR}/slurmd.pid" || "${SUDO[@]}" slurmd -f "${CONF}"
    for _ in $(seq 60); do
      if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)$'; then
        log "cluster up: $(sinfo -h -o '%N %c CPUs %m MB %t')"
        echo "SLURM_CONF=${CONF}"
        exit 0
      fi
      sleep 1
    done
    log "error: the node did not become idle in 60 s; see ${DIR}/log/" >&2
    exit 1
    ;;
  stop)
    SLURM_CONF="${CONF}" scontrol shutdown 2>/dev/null || true
    # Bounded: a daemon that ignores the shutdown is killed.
    for daemon in slurmctld slurmd; do
      pid_file="${DIR}/${daemon}.pid"
      for _ in $(seq 20); do running "${pid_file}" || break; sleep 0.5; done
      if running "${pid_file}"; then "${SUDO[@]}" kill -9 "$(cat "${pid_file}")" || true; fi
    done
    log "stopped"
    ;;
  env)
    echo "export SLURM_CONF=${CONF}"
    ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
