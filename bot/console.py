"""The console chat: the same handlers as Slack, answered in plain text in a terminal (and in tests).

    chat = ConsoleChat(deps, user_id="console")
    chat.say("/plan 任务 区发改局")     -> the plain-text answer
    chat.say("下一页")                  -> the next page of the last list
    chat.say("中期评估什么时候？")        -> a question, as in a Slack DM

Lines that start with /plan (or with a subcommand name) are commands; anything else is a question. A file
the bot would upload in Slack (`/plan 报告`, `/plan 导出`) is saved in the data folder, beside a SQLite
ledger, and the answer says where: not in whatever folder the terminal happens to be in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from platformdirs import user_data_dir
from sqlalchemy.engine import make_url

from bot.deps import Deps
from handlers.context import local_today
from handlers.rendering import plain
from handlers.replies import Reply
from handlers.router import Asker, answer_message, run_text

NEXT_WORDS = ("下一页", "next", "n", "更多")
PREVIOUS_WORDS = ("上一页", "prev", "previous", "p")
EXIT_WORDS = ("exit", "quit", "退出", "再见", "bye")
WELCOME = (
    "planbot 控制台：输入 /plan 帮助 查看命令，也可以直接用中文提问（如“下个月到期的任务”）。输入 退出 结束。\n"
    "planbot console: type /plan help, or ask in Chinese. Type exit to leave."
)


class ConsoleChat:
    """One person's conversation with the bot. The console user is a coordinator unless told otherwise."""

    def __init__(
        self,
        deps: Deps,
        *,
        user_id: str = "console",
        coordinator: bool = True,
        files_dir: Path | None = None,
    ) -> None:
        self._deps = deps
        self._files_dir = files_dir or data_folder(deps.settings.database_url)
        self._asker = Asker(
            user_id=user_id,
            channel_id=None,
            group_coordinators=frozenset({user_id}) if coordinator else frozenset(),
            local_paths=True,
        )
        self._last: Reply | None = None

    def say(self, line: str) -> str:
        """One line in, the bot's answer out (plain text)."""
        text = line.strip()
        if not text:
            return ""
        reply = self._answer(text)
        if reply.ok or text.lower() not in NEXT_WORDS + PREVIOUS_WORDS:
            self._last = reply  # a refused page turn keeps the list it was turning
        if reply.upload is not None:
            # in a terminal the file the bot would upload is saved in the data folder instead
            self._files_dir.mkdir(parents=True, exist_ok=True)
            saved = self._files_dir / Path(reply.upload.filename).name
            saved.write_bytes(reply.upload.content)
            return plain(reply, local_today(self._deps)) + f"\n已保存到 / saved to: {saved}"
        return plain(reply, local_today(self._deps))

    @property
    def files_dir(self) -> Path:
        return self._files_dir

    def run(self, stdin: TextIO, stdout: TextIO, *, prompt: str = "你> ") -> None:
        """Read lines until end of input or an exit word; answer each."""
        stdout.write(WELCOME + "\n")
        interactive = stdin.isatty()
        while True:
            if interactive:
                stdout.write(prompt)
                stdout.flush()
            line = stdin.readline()
            if not line or line.strip().lower() in EXIT_WORDS:
                break
            answer = self.say(line)
            if answer:
                stdout.write(f"planbot> {answer}\n\n")
                stdout.flush()

    def _answer(self, text: str) -> Reply:
        lowered = text.lower()
        page = self._last.page if self._last is not None else None
        if lowered in NEXT_WORDS + PREVIOUS_WORDS:
            if page is None:
                return Reply(headline="没有可以翻页的列表。 Nothing to page through.", ok=False)
            step = 1 if lowered in NEXT_WORDS else -1
            number = page.number + step
            if not 0 <= number < page.count:
                return Reply(
                    headline="已经是最后一页了。 That was the last page."
                    if step > 0
                    else "已经是第一页了。 This is the first page.",
                    ok=False,
                )
            return run_text(self._deps, self._asker, page.command, page=number)
        if lowered.startswith("/plan"):
            return run_text(self._deps, self._asker, text[len("/plan") :])
        return answer_message(self._deps, self._asker, text)


def data_folder(database_url: str) -> Path:
    """Where the console saves files: the folder of a SQLite ledger, else planbot's own data folder."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).expanduser().resolve().parent
    return Path(user_data_dir("planbot", appauthor=False))
