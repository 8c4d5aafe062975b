# tektra_embed_files(<target> <function> <base_dir> <files...>)
# Compiles the files into <target> as `std::span<const tektra::EmbeddedFile> <function>()`, keyed
# by their path relative to <base_dir>, so the binary carries its data and needs no install step.
function(tektra_embed_files target function base_dir)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${function}.cpp)
  list(JOIN ARGN "|" files)  # a ';' would split the shell command
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DFUNCTION=${function} -DBASE=${base_dir}
            "-DFILES=${files}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    VERBATIM
    DEPENDS ${ARGN} ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${function}")
  target_sources(${target} PRIVATE ${out})
endfunction()
