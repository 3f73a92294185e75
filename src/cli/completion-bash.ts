import type { CompletionSpec } from './completion.js';

const words = (list: readonly string[]): string => list.join(' ');
const patterns = (list: readonly string[]): string => list.join('|');

/** `source <(etcd-cockpit completion bash)`, or the output saved in bash-completion's completions folder. */
export function bashCompletion(spec: CompletionSpec): string {
  const subcommandCases = Object.entries(spec.subcommands)
    .map(([command, subs]) => `      ${command}) _etcd_cockpit_reply "${words(subs)}" ;;`)
    .join('\n');
  const valueCases = Object.entries(spec.flagValues)
    .map(([flag, values]) => `    ${flag}) _etcd_cockpit_reply "${words(values)}"; return ;;`)
    .join('\n');
  return `# bash completion for etcd-cockpit: source <(etcd-cockpit completion bash)
_etcd_cockpit_reply() {
  COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

_etcd_cockpit_files() {
  compopt -o filenames 2>/dev/null
  local IFS=$'\\n'
  COMPREPLY=($(compgen -f -- "$cur"))
}

_etcd_cockpit() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local command="" sub="" word i
  COMPREPLY=()
  # The command and its subcommand are the first words that are neither flags nor a flag's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      ${patterns(spec.valueFlags)}) ((i++)); continue ;;
      -*) continue ;;
    esac
    if [[ -z $command ]]; then command=$word; elif [[ -z $sub ]]; then sub=$word; fi
  done

  if [[ $command == runbook ]]; then
    case "$prev" in
      -f|--file|--workdir) _etcd_cockpit_files; return ;;
      ${patterns(spec.runbook.valueFlags)}) return ;;
    esac
    if [[ $cur == -* ]]; then _etcd_cockpit_reply "${words(spec.runbook.flags)}"; return; fi
    [[ -z $sub ]] && _etcd_cockpit_reply "${words(spec.runbook.actions)}"
    return
  fi

  case "$prev" in
${valueCases}
    ${patterns(spec.fileFlags)}) _etcd_cockpit_files; return ;;
    ${patterns(spec.valueFlags)}) return ;;
  esac
  if [[ $cur == -* ]]; then _etcd_cockpit_reply "${words(spec.flags)}"; return; fi
  if [[ -z $command ]]; then _etcd_cockpit_reply "${words(spec.commands)}"; return; fi
  if [[ -z $sub ]]; then
    case "$command" in
${subcommandCases}
      ${patterns(spec.fileArguments.filter((c) => !c.includes(' ')))}) _etcd_cockpit_files ;;
    esac
    return
  fi
  case "$command $sub" in
    ${patterns(spec.fileArguments.filter((c) => c.includes(' ')).map((c) => `"${c}"`))}) _etcd_cockpit_files ;;
  esac
}

complete -F _etcd_cockpit etcd-cockpit
`;
}
