# bash completion for latent: commands, subcommands, and each command's options as its own
# --help lists them (so completion and the option tables never disagree).
_latent() {
    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} sub=""
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$(latent --help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && NF { print $1 }') help version" -- "$cur"))
        return
    fi
    case "$cmd" in
        train) sub=word2vec ;;
        index) sub=${COMP_WORDS[2]}; [ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "build add delete info" -- "$cur")); return; } ;;
        eval) sub=${COMP_WORDS[2]}; [ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "analogy similarity recall" -- "$cur")); return; } ;;
        help) COMPREPLY=($(compgen -W "$(latent --help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && NF { print $1 }')" -- "$cur")); return ;;
    esac
    if [[ "$cur" == -* ]]; then
        local opts
        opts=$(latent $cmd $sub --help 2>/dev/null | awk '/^options:/ { on = 1; next } on' | grep -oE -- '--[A-Za-z0-9-]+')
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _latent latent
