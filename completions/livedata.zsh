
#compdef livedata

_livedata_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _LIVEDATA_COMPLETE=complete_zsh livedata)
}

compdef _livedata_completion livedata

