#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, like expect(1).

    answer_prompts.py 'User PIN:' <secret 1> 'context specific PIN:' <secret 2> -- command args...

pkcs11-tool reads PINs from a terminal only, and flushes unread terminal input before each prompt
(TCSAFLUSH), so typing ahead loses characters: each answer is typed when its prompt appears. The
command's output is copied to our standard output (without the answers: the terminal echo is off
while a PIN is read); the exit status is the command's."""
import os
import pty
import sys
import termios
import time


def main(argv):
    if "--" not in argv:
        sys.exit("usage: answer_prompts.py PROMPT ANSWER [PROMPT ANSWER ...] -- COMMAND [ARG ...]")
    split = argv.index("--")
    pairs, command = argv[1:split], argv[split + 1:]
    if len(pairs) % 2 or not command:
        sys.exit("answer_prompts.py: prompts and answers come in pairs, then -- and a command")
    answers = [(pairs[i].encode(), pairs[i + 1].encode()) for i in range(0, len(pairs), 2)]
    prompts = {prompt for prompt, _ in answers}
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    seen = b""
    deadline = time.monotonic() + 120
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        seen += chunk
        if answers and answers[0][0] in seen:
            # Type only once the program has switched the echo off: that is the same tcsetattr
            # call that flushes pending input, so nothing typed afterwards is lost.
            wait_until = time.monotonic() + 5
            while termios.tcgetattr(fd)[3] & termios.ECHO and time.monotonic() < wait_until:
                time.sleep(0.01)
            os.write(fd, answers[0][1] + b"\n")
            answers.pop(0)
            seen = b""
        elif not answers and any(p in seen for p in prompts):
            os.kill(pid, 9)
            print("\nanswer_prompts.py: one prompt more than answers given", file=sys.stderr)
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            print("\nanswer_prompts.py: timed out", file=sys.stderr)
            break
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main(sys.argv)
