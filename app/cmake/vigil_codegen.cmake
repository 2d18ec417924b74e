# SPDX-License-Identifier: Apache-2.0
#
# Build-time code generation with the `vigil` tooling: model sources (`vigil models codegen`)
# and replay samples (`vigil samples generate` / `vigil samples embed`). Plain CMake, no Zephyr
# function, so tests/app/test_codegen_cmake.py runs these very commands in a small CMake
# project of its own.
#
# Settings (cache variables):
#   VIGIL_ROOT      this repository (default: the folder above app/)
#   VIGIL_PYTHON    a Python with the vigil package's dependencies (default: Python3_EXECUTABLE,
#                   which Zephyr's build sets, else python3 on PATH)
#   VIGIL_MANIFEST  the model manifest (default: ${VIGIL_ROOT}/models.yml); a relative path is
#                   taken from the application's source folder. Every model name the build uses
#                   must be in it.

set(VIGIL_ROOT "${CMAKE_CURRENT_LIST_DIR}/../.." CACHE PATH "Vigil repository root")
get_filename_component(VIGIL_ROOT "${VIGIL_ROOT}" ABSOLUTE)
if(NOT VIGIL_PYTHON)
  if(Python3_EXECUTABLE)
    set(VIGIL_PYTHON "${Python3_EXECUTABLE}")
  else()
    find_program(VIGIL_PYTHON python3 REQUIRED)
  endif()
endif()
set(VIGIL_PYTHON "${VIGIL_PYTHON}" CACHE FILEPATH "Python that runs the vigil tooling")

# vigil_setting(<out_var> <name> <default> <doc>)
# A build setting the user may give on the command line (cmake -D<name>=..., west build --
# -D<name>=...): the cache variable <name>, empty unless the user set it. <out_var> is its value
# when set, else <default> - typically from Kconfig - recomputed at every configure, so a Kconfig
# change in an existing build folder takes effect. -D<name>= (empty) goes back to the default.
function(vigil_setting out_var name default doc)
  set(${name} "" CACHE STRING "${doc}")
  if("${${name}}" STREQUAL "")
    set(${out_var} "${default}" PARENT_SCOPE)
  else()
    set(${out_var} "${${name}}" PARENT_SCOPE)
  endif()
endfunction()

vigil_setting(VIGIL_MANIFEST_PATH VIGIL_MANIFEST "${VIGIL_ROOT}/models.yml"
              "Model manifest (models.yml) naming the firmware's models; default: Vigil's own")
get_filename_component(VIGIL_MANIFEST_PATH "${VIGIL_MANIFEST_PATH}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
if(NOT EXISTS "${VIGIL_MANIFEST_PATH}")
  message(FATAL_ERROR "vigil: model manifest ${VIGIL_MANIFEST_PATH} not found (VIGIL_MANIFEST)")
endif()

# The package runs from the source tree, installed or not.
set(VIGIL_COMMAND ${CMAKE_COMMAND} -E env "PYTHONPATH=${VIGIL_ROOT}/scripts" ${VIGIL_PYTHON} -m vigil)

# vigil_generate_model(<out_var> NAME <c-name> MODEL <name-or-path> TARGET <profile> OUT <dir>
#                      [LIKE <manifest-name>] [ROLE int8|preprocessor])
# Adds the custom command that writes <dir>/<name>_model.c, _model.h and _op_resolver.h and
# returns the .c file in <out_var>. MODEL is a manifest name or a .tflite path (relative paths
# are taken from the application's source folder); LIKE lends a manifest model's labels,
# front-end and post-processing to a file the manifest does not list (`--like`). TARGET is the
# arena profile of `vigil models inspect --profile`.
function(vigil_generate_model out_var)
  cmake_parse_arguments(ARG "" "NAME;MODEL;TARGET;OUT;LIKE;ROLE" "" ${ARGN})
  foreach(required NAME MODEL TARGET OUT)
    if(NOT ARG_${required})
      message(FATAL_ERROR "vigil_generate_model: ${required} is required")
    endif()
  endforeach()
  set(model "${ARG_MODEL}")
  set(depends "${VIGIL_MANIFEST_PATH}")
  if(model MATCHES "\\.tflite$")
    get_filename_component(model "${model}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
    if(NOT EXISTS "${model}")
      message(FATAL_ERROR "vigil: model file ${model} not found")
    endif()
    list(APPEND depends "${model}")
  endif()
  set(extra_args)
  if(ARG_LIKE)
    list(APPEND extra_args --like ${ARG_LIKE})
  endif()
  if(ARG_ROLE)
    list(APPEND extra_args --role ${ARG_ROLE})
  endif()
  set(args models codegen "${model}" --manifest "${VIGIL_MANIFEST_PATH}" --name ${ARG_NAME}
           --profile ${ARG_TARGET} --out "${ARG_OUT}" ${extra_args})
  # Another model, manifest or profile in an existing build folder changes this command, and
  # Ninja and Make both run a custom command again when its command line changed
  # (tests/app/test_codegen_cmake.py checks both).
  set(outputs "${ARG_OUT}/${ARG_NAME}_model.c" "${ARG_OUT}/${ARG_NAME}_model.h"
              "${ARG_OUT}/${ARG_NAME}_op_resolver.h")
  if(ARG_LIKE)
    set(like_text " like ${ARG_LIKE}")
  else()
    set(like_text "")
  endif()
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${VIGIL_COMMAND} ${args}
    DEPENDS ${depends}
    COMMENT "vigil: generating model '${ARG_NAME}' from ${ARG_MODEL}${like_text} for ${ARG_TARGET}"
    VERBATIM)
  set(${out_var} "${ARG_OUT}/${ARG_NAME}_model.c" PARENT_SCOPE)
endfunction()

# vigil_embed_samples(<out_var> TASK kws|vww|all OUT <dir> [FOLDER <dir>])
# Adds the custom commands that write <dir>/vigil_samples.c and .h from the WAV and image files
# of FOLDER; without FOLDER, from the default set `vigil samples generate` writes (a spoken
# "yes" and "no" by espeak-ng, a photo with and without a person from scikit-image).
function(vigil_embed_samples out_var)
  cmake_parse_arguments(ARG "" "TASK;OUT;FOLDER" "" ${ARGN})
  set(outputs "${ARG_OUT}/vigil_samples.c" "${ARG_OUT}/vigil_samples.h")
  if(ARG_FOLDER)
    get_filename_component(folder "${ARG_FOLDER}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${folder}")
      message(FATAL_ERROR "vigil: VIGIL_SAMPLES_DIR ${folder} is not a folder")
    endif()
    file(GLOB depends CONFIGURE_DEPENDS "${folder}/*")
    set(generate)
  else()
    set(folder "${ARG_OUT}/default")
    set(depends)
    set(generate COMMAND ${VIGIL_COMMAND} samples generate --out "${folder}")
  endif()
  add_custom_command(
    OUTPUT ${outputs}
    ${generate}
    COMMAND ${VIGIL_COMMAND} samples embed "${folder}" --task ${ARG_TASK} --out "${ARG_OUT}"
    DEPENDS ${depends}
    COMMENT "vigil: embedding ${ARG_TASK} samples from ${folder}"
    VERBATIM)
  set(${out_var} "${ARG_OUT}/vigil_samples.c" PARENT_SCOPE)
endfunction()

# vigil_target_profile(<out_var>): the arena profile of `vigil models inspect --profile` for the
# core this build is for, from Kconfig symbols (arch/arm/core/cortex_m/Kconfig, arch/Kconfig).
function(vigil_target_profile out_var)
  if(CONFIG_ARCH_POSIX)
    if(CONFIG_64BIT)
      set(profile native_sim_64)
    else()
      set(profile native_sim)
    endif()
  elseif(CONFIG_CPU_CORTEX_M55)
    set(profile cortex-m55)
  elseif(CONFIG_CPU_CORTEX_M33 AND CONFIG_ARMV8_M_DSP)
    set(profile cortex-m33)
  elseif(CONFIG_CPU_CORTEX_M33)
    set(profile cortex-m33-nodsp)
  elseif(CONFIG_CPU_CORTEX_M4)
    set(profile cortex-m4)
  else()
    message(WARNING "vigil: no arena profile for this core; using cortex-m33-nodsp (set VIGIL_TARGET_PROFILE)")
    set(profile cortex-m33-nodsp)
  endif()
  set(${out_var} ${profile} PARENT_SCOPE)
endfunction()
