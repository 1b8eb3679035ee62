"""Pinyin parsing of Latin runs: what is read as pinyin, and that no text makes it slow."""

from __future__ import annotations

import subprocess
import sys

import pytest

from screener.lexicon.sound import load_syllables, split_pinyin


@pytest.fixture(scope="module")
def known():
    return load_syllables(None).ids


@pytest.mark.parametrize(("token", "syllables"), [
    ("daiyun", ["dai", "yun"]),
    ("dai4yun4", ["dai", "yun"]),
    ("xian", ["xian"]),
])
def test_pinyin_is_split_into_syllables(known, token, syllables):
    assert [name for _, _, name, _ in split_pinyin(token, known)] == syllables


@pytest.mark.parametrize("token", ["p0rn", "2023", "dai44yun", "4dai", "dai9", "hello"])
def test_what_is_not_pinyin(known, token):
    assert split_pinyin(token, known) is None


def test_a_long_english_run_ending_in_a_digit_is_parsed_at_once():
    # An English SMS loses its spaces in the skeleton: one run of hundreds of letters and
    # digits. The pattern that decided "is this pinyin" once backtracked exponentially on it
    # (about 3x per two more letters), so the screening never ended. A child process with a
    # generous limit turns a regression into a failure instead of a hung test run.
    code = ("from screener.lexicon.sound import load_syllables, split_pinyin\n"
            "known = load_syllables(None).ids\n"
            "token = 'wehavereceivedyourinstructionsubmittedon' * 8 + '201305211349'\n"
            "print(split_pinyin(token, known))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"

