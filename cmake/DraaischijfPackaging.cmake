# What `cmake --install` puts where, and the Debian package CPack makes of it (docs/OPERATIONS.md):
#   /usr/bin/draaischijf-hub, /usr/bin/draaischijf, /usr/bin/draaischijf-witness
#   /usr/share/man/man8/draaischijf-hub.8.gz, /usr/share/man/man1/draaischijf.1.gz (from --help)
#   /usr/lib/systemd/system/draaischijf-hub.service, draaischijf-witness.service
#   /usr/lib/systemd/user/draaischijf-renew.{service,timer} (an organisation admin's own units)
#   /etc/draaischijf/draaischijf-hub.example.toml (a conffile: never overwritten silently)
#   /etc/draaischijf/draaischijf-witness.example.toml (a conffile too)
# The maintainer scripts in packaging/debian make the system user and the data folder.

include(GNUInstallDirs)

install(TARGETS draaischijf-hub draaischijf draaischijf-witness
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Man pages from the programs' own --help, made when the programs change.
set(man_dir ${PROJECT_BINARY_DIR}/man)
find_program(GZIP_PROGRAM gzip)
set(man_pages)
function(draaischijf_man_page target section summary see_also)
  set(page ${man_dir}/${target}.${section})
  set(installed ${page})
  set(compress)
  if(GZIP_PROGRAM)
    set(installed ${page}.gz)
    # -n: no name or time stamp inside, so the same program gives the same bytes.
    set(compress COMMAND ${GZIP_PROGRAM} -9nf ${page})
  endif()
  add_custom_command(
    OUTPUT ${installed}
    COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${target}> -DNAME=${target}
            -DSECTION=${section} -DSUMMARY=${summary} -DSEE_ALSO=${see_also} -DOUTPUT=${page}
            -P ${PROJECT_SOURCE_DIR}/cmake/help_to_man.cmake
    ${compress}
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/cmake/help_to_man.cmake
    COMMENT "Writing the man page ${target}(${section}) from ${target} --help"
    VERBATIM)
  install(FILES ${installed} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  set(man_pages ${man_pages} ${installed} PARENT_SCOPE)
endfunction()
draaischijf_man_page(draaischijf-hub 8 "the Draaischijf hub" "\\fBdraaischijf\\fR(1)")
draaischijf_man_page(draaischijf 1 "the Draaischijf client for CLBs, schools and partners"
                     "\\fBdraaischijf-hub\\fR(8)")
add_custom_target(man-pages ALL DEPENDS ${man_pages})

set(units ${PROJECT_SOURCE_DIR}/docs/deploy/systemd)
install(FILES ${units}/draaischijf-hub.service ${units}/draaischijf-witness.service
        DESTINATION lib/systemd/system)
install(FILES ${units}/draaischijf-renew.service ${units}/draaischijf-renew.timer
        DESTINATION lib/systemd/user)
install(FILES ${PROJECT_SOURCE_DIR}/server/draaischijf-hub.example.toml
              ${PROJECT_SOURCE_DIR}/witness/draaischijf-witness.example.toml
        DESTINATION /etc/draaischijf)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME draaischijf)
set(CPACK_PACKAGE_VENDOR "Draaischijf")
set(CPACK_PACKAGE_CONTACT "Draaischijf maintainers <maintainers@draaischijf.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Without debug symbols, as Debian ships programs.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# The shared libraries' packages (libsodium23, libssl3, libsqlite3-0, ...) as dpkg-shlibdeps
# reads them from the binaries; passwd for useradd in postinst.
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libsodium23 (>= 1.0.18), libssl3 (>= 3.0.0), libsqlite3-0 (>= 3.35), libstdc++6 (>= 12), libc6 (>= 2.36)")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
