import type { CompletionSpec } from './completion.js';

const words = (list: readonly string[]): string => list.join(' ');
const patterns = (list: readonly string[]): string => list.join('|');

/** A `#compdef` file for a folder on $fpath (as _etcd-cockpit), or `source <(etcd-cockpit completion zsh)` after compinit. */
export function zshCompletion(spec: CompletionSpec): string {
  const subcommandCases = Object.entries(spec.subcommands)
    .map(([command, subs]) => `      ${command}) compadd -- ${words(subs)} ;;`)
    .join('\n');
  const valueCases = Object.entries(spec.flagValues)
    .map(([flag, values]) => `    ${flag}) compadd -- ${words(values)}; return ;;`)
    .join('\n');
  return `#compdef etcd-cockpit
# zsh completion for etcd-cockpit: source <(etcd-cockpit completion zsh), or save it as _etcd-cockpit on $fpath

_etcd_cockpit() {
  local command="" sub="" word prev="\${words[CURRENT-1]}"
  local -i i
  # The command and its subcommand are the first words that are neither flags nor a flag's value.
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    case "$word" in
      ${patterns(spec.valueFlags)}) ((i++)); continue ;;
      -*) continue ;;
    esac
    if [[ -z $command ]]; then command=$word; elif [[ -z $sub ]]; then sub=$word; fi
  done

  if [[ $command == runbook ]]; then
    case "$prev" in
      -f|--file|--workdir) _files; return ;;
      ${patterns(spec.runbook.valueFlags)}) return ;;
    esac
    if [[ $PREFIX == -* ]]; then compadd -- ${words(spec.runbook.flags)}; return; fi
    [[ -z $sub ]] && compadd -- ${words(spec.runbook.actions)}
    return
  fi

  case "$prev" in
${valueCases}
    ${patterns(spec.fileFlags)}) _files; return ;;
    ${patterns(spec.valueFlags)}) return ;;
  esac
  if [[ $PREFIX == -* ]]; then compadd -- ${words(spec.flags)}; return; fi
  if [[ -z $command ]]; then compadd -- ${words(spec.commands)}; return; fi
  if [[ -z $sub ]]; then
    case "$command" in
${subcommandCases}
      ${patterns(spec.fileArguments.filter((c) => !c.includes(' ')))}) _files ;;
    esac
    return
  fi
  case "$command $sub" in
    ${patterns(spec.fileArguments.filter((c) => c.includes(' ')).map((c) => `"${c}"`))}) _files ;;
  esac
}

if [[ "\${funcstack[1]}" == _etcd_cockpit || "\${funcstack[1]}" == _etcd-cockpit ]]; then
  _etcd_cockpit "$@"
else
  compdef _etcd_cockpit etcd-cockpit
fi
`;
}
