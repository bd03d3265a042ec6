"""license-check: an example xhost plugin in Python (world `plugin`, release scope).

It reads the project's license file from the source tree (its stage must grant
`source = true`) and fails the build when there is none, when it cannot tell which
license it is, or when the license is not in the allow-list. It writes nothing: a
check that passes only logs what it found.

Config (`[stage.config]`):
  allowed = ["MIT", "Apache-2.0", ...]   SPDX ids accepted (default: a permissive set)
"""

import json
import os
import re

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import log, types

VERSION = "0.1.0"
SOURCE = "/src"
LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "COPYING", "COPYING.md")
DEFAULT_ALLOWED = ["MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0"]

# Phrases that identify a license text, most specific first. Each pattern must all match.
SIGNATURES = [
    ("AGPL-3.0", ["GNU AFFERO GENERAL PUBLIC LICENSE", "Version 3"]),
    ("LGPL-3.0", ["GNU LESSER GENERAL PUBLIC LICENSE", "Version 3"]),
    ("GPL-3.0", ["GNU GENERAL PUBLIC LICENSE", "Version 3"]),
    ("GPL-2.0", ["GNU GENERAL PUBLIC LICENSE", "Version 2"]),
    ("Apache-2.0", ["Apache License", "Version 2.0"]),
    ("MPL-2.0", ["Mozilla Public License", "Version 2.0"]),
    ("BSD-3-Clause", ["Redistribution and use in source and binary forms", "Neither the name"]),
    ("BSD-2-Clause", ["Redistribution and use in source and binary forms"]),
    ("ISC", ["Permission to use, copy, modify, and/or distribute this software for any purpose"]),
    ("MIT", ["Permission is hereby granted, free of charge, to any person obtaining a copy"]),
    ("Unlicense", ["This is free and unencumbered software released into the public domain"]),
]


def failed(message: str) -> Err:
    return Err(types.StageError_Failed(message))


def identify(text: str) -> str | None:
    """The SPDX id of a license text: an SPDX-License-Identifier line, else its wording."""
    declared = re.search(r"SPDX-License-Identifier:\s*([A-Za-z0-9.+-]+)", text)
    if declared:
        return declared.group(1)
    flat = " ".join(text.split())
    for spdx, phrases in SIGNATURES:
        if all(phrase in flat for phrase in phrases):
            return spdx
    return None


class Stage(exports.Stage):
    def describe(self) -> types.PluginInfo:
        return types.PluginInfo(
            name="license-check",
            version=VERSION,
            summary="Fails the build unless the project's license is in the allow-list",
            scope=types.Scope.RELEASE,
            consumes=[],
            needs=types.RequestedGrants(programs=[], source=True, signing_keys=0),
        )

    def run(self, job: types.Job) -> list[types.Artifact]:
        config = json.loads(job.config)
        unknown = set(config) - {"allowed"}
        if unknown:
            raise Err(types.StageError_InvalidConfig(f"unknown keys: {', '.join(sorted(unknown))}"))
        allowed = config.get("allowed", DEFAULT_ALLOWED)
        if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
            raise Err(types.StageError_InvalidConfig("`allowed` must be a list of SPDX ids"))
        if not os.path.isdir(SOURCE):
            raise failed("the source tree is not mounted: grant the stage `source = true`")

        present = [name for name in LICENSE_FILES if os.path.isfile(f"{SOURCE}/{name}")]
        if not present:
            raise failed(f"no license file in the source tree (looked for {', '.join(LICENSE_FILES)})")
        name = present[0]
        with open(f"{SOURCE}/{name}", encoding="utf-8", errors="replace") as f:
            spdx = identify(f.read())
        if spdx is None:
            raise failed(f"{name}: cannot tell which license this is; add a line `SPDX-License-Identifier: <id>`")
        if spdx not in allowed:
            raise failed(f"{name} is {spdx}, which is not allowed (allowed: {', '.join(allowed)})")
        log.log(log.Level.INFO, f"{name}: {spdx} (allowed)")
        return []
