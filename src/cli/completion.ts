/**
 * `m365d completion bash|zsh`: a shell completion script, generated from the command tree so it
 * never lags behind the commands.
 * @packageDocumentation
 */
import { Argument, type Command } from 'commander';

/** Each command path (`incidents list`) with its sub-commands and options. */
function tree(command: Command, path: string[] = [], out: Map<string, string[]> = new Map()): Map<string, string[]> {
  const words = [...command.commands.map((c) => c.name()), ...command.options.filter((o) => !o.hidden).map((o) => o.long ?? o.short ?? '').filter(Boolean), '--help'];
  out.set(path.join(' '), words);
  for (const sub of command.commands) tree(sub, [...path, sub.name()], out);
  return out;
}

/** The bash script (zsh runs it through bashcompinit). */
function bashScript(program: Command): string {
  const cases = [...tree(program)]
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# m365d completion for bash: eval "$(m365d completion bash)" (e.g. in ~/.bashrc)
_m365d() {
  local cur path="" word i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  # The command path: the words before the cursor that are not options.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "\${path:+$path }$word" in
${[...tree(program).keys()].filter((k) => k !== '').map((k) => `      "${k}") path="${k}" ;;`).join('\n')}
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  [[ \${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}
complete -F _m365d m365d
`;
}

/** Registers `completion`. */
export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script')
    // A choice, so that a wrong one is refused as commander's choices are: named, not repeated.
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .addHelpText('after', `
Examples:
  echo 'eval "$(m365d completion bash)"' >> ~/.bashrc
  echo 'eval "$(m365d completion zsh)"' >> ~/.zshrc`)
    .action((shell: string) => {
      if (shell === 'bash') process.stdout.write(bashScript(program));
      else process.stdout.write(`# m365d completion for zsh: eval "$(m365d completion zsh)" (e.g. in ~/.zshrc)\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bashScript(program)}`);
    });
}
