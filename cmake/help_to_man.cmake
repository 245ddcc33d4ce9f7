# Writes a man page from a program's own --help and --version, at build time, so the page says
# exactly what the program says and cannot drift from it.
#   cmake -DPROGRAM=path -DNAME=draaischijf -DSECTION=1 -DSUMMARY="..." -DOUTPUT=file
#         [-DSEE_ALSO="draaischijf-hub(8)"] -P help_to_man.cmake
foreach(required PROGRAM NAME SECTION SUMMARY OUTPUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "help_to_man.cmake: -D${required}=... is required")
  endif()
endforeach()

execute_process(COMMAND ${PROGRAM} --help OUTPUT_VARIABLE help RESULT_VARIABLE help_status)
execute_process(COMMAND ${PROGRAM} --version OUTPUT_VARIABLE version RESULT_VARIABLE version_status
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT help_status EQUAL 0 OR NOT version_status EQUAL 0 OR help STREQUAL "")
  message(FATAL_ERROR "help_to_man.cmake: ${PROGRAM} --help or --version failed")
endif()

# roff: a backslash is written \e; a line that starts with . or ' would be read as a request, so
# it starts with the zero-width \& instead.
string(REPLACE "\\" "\\e" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
string(REPLACE "-" "\\-" help "${help}")

string(TOUPPER "${NAME}" title)
string(REGEX MATCH "[0-9][0-9.]*" number "${version}")
set(page ".TH ${title} ${SECTION} \"\" \"${NAME} ${number}\" \"Draaischijf\"\n")
string(APPEND page ".SH NAME\n${NAME} \\- ${SUMMARY}\n")
string(APPEND page ".SH DESCRIPTION\nThe text below is what \\fB${NAME} \\-\\-help\\fR prints.\n")
string(APPEND page ".PP\n.nf\n${help}.fi\n")
if(DEFINED SEE_ALSO)
  string(APPEND page ".SH SEE ALSO\n${SEE_ALSO}\n")
endif()
file(WRITE "${OUTPUT}" "${page}")
