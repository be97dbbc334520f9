# bash completion for ctrctl (install as /usr/share/bash-completion/completions/ctrctl)
# shellcheck shell=bash

# Container names ctr knows: running (CTR_RUN_DIR), stopped (CTR_LIB_DIR)
# and created (/run/netns); those owned by a user under .user/UID (root
# reads every owner's, a user her own).
_ctr_names() {
	local kind=$1 d run=${CTR_RUN_DIR:-/run/ctr} lib=${CTR_LIB_DIR:-/var/lib/ctr/containers}
	local -a out=()
	for d in "$run"/*/ "$run"/.user/*/*/; do
		[[ -d $d ]] && out+=("$(basename "$d")")
	done
	if [[ $kind == all ]]; then
		for d in "$lib"/*/ "$lib"/.user/*/*/ /run/netns/*; do
			[[ -e $d ]] && out+=("$(basename "$d")")
		done
	fi
	printf '%s\n' "${out[@]}" | sort -u
}

_ctrctl() {
	local cur prev cmd
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W 'create run exec ps stats top stop rm start restart inspect logs help --help --version' -- "$cur")
		return
	fi
	cmd=${COMP_WORDS[1]}
	case $prev in
	-t | --time | -e | --env | -w | --workdir | -u | --user | --memory | -m | --memory-swap | \
		--cpus | --cpu-shares | --pids-limit | --hostname | -h | --cap-add | --cap-drop | --ulimit | \
		--bridge | --gateway | --dns | --log-max-size | --tail | -n | --listen | --iterations)
		return
		;;
	--log-file)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	-s | --signal | --stop-signal)
		mapfile -t COMPREPLY < <(compgen -W 'TERM INT QUIT HUP USR1 USR2 KILL' -- "$cur")
		return
		;;
	--rootfs)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	-v | --volume)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	esac
	case $cmd in
	create)
		((COMP_CWORD == 2)) && return
		mapfile -t COMPREPLY < <(compgen -W '--bridge --gateway --nat --no-nat --publish --dns --memory --memory-swap --cpus --cpu-shares --pids-limit --userns' -- "$cur")
		;;
	run)
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names all)" -- "$cur")
		elif [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '--rootfs -h --hostname -e --env -w --workdir -u --user
				-v --volume --rm --read-only --init --stop-signal -m --memory --memory-swap --cpus --cpu-shares
				--pids-limit --cap-add --cap-drop --privileged --seccomp --security-opt --ulimit
				-d --detach --log-file --log-max-size -i -t -it --' -- "$cur")
		fi
		;;
	exec)
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names running)" -- "$cur")
		elif [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '-e --env -w --workdir -u --user -i -t -it --' -- "$cur")
		fi
		;;
	ps) mapfile -t COMPREPLY < <(compgen -W '-a --all --json' -- "$cur") ;;
	top)
		if [[ $prev == -d || $prev == --delay ]]; then
			return
		elif [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '-d --delay -n --iterations --no-stream --json --web --listen -h --help' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names all)" -- "$cur")
		fi
		;;
	logs)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '-f --follow --tail -n' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names all)" -- "$cur")
		fi
		;;
	stats)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '--no-stream' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names running)" -- "$cur")
		fi
		;;
	stop | restart)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "-t --time$([[ $cmd == stop ]] && echo ' -s --signal')" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names "$([[ $cmd == stop ]] && echo running || echo all)")" -- "$cur")
		fi
		;;
	start) mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names all)" -- "$cur") ;;
	rm | inspect)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$([[ $cmd == rm ]] && echo '-f --force' || echo --json)" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_ctr_names all)" -- "$cur")
		fi
		;;
	esac
}

complete -F _ctrctl ctrctl
