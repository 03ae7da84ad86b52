"""``ballast onboard APPLICATION.yaml`` and ``ballast questionnaire show | import``: onboarding
clients and the risk questionnaire (docs/onboarding.md). Registered on the main app by
:func:`register`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ballast.config.onboarding import Questionnaire
from ballast.domain import ConfigError
from ballast.engine import onboarding, users
from ballast.engine.workspace import open_store

console = Console()
questionnaire_app = typer.Typer(help="The risk questionnaire in force (see "
                                "docs/onboarding.md).", no_args_is_help=True)

Db = Annotated[str | None, typer.Option(
    "--db", envvar="BALLAST_DATABASE_URL", help="Database URL (default sqlite:///./ballast.db).")]
User = Annotated[str | None, typer.Option(
    "--user", envvar="BALLAST_USER", help="Who acts (a ballast user; default $BALLAST_USER).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    """Add ``onboard`` and ``questionnaire`` to ``app``."""
    app.command("onboard")(onboard_cmd)
    app.add_typer(questionnaire_app, name="questionnaire")


def _user(user: str | None) -> str:
    if not user:
        raise ConfigError("say who acts with --user NAME (or $BALLAST_USER)", field="user")
    return user


def onboard_cmd(
    application: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                                help="Application YAML file.")],
    user: User = None, db: Db = None, as_json: Json = False,
) -> None:
    """Onboard a client: check the application, score the answers, open the household and its
    accounts with suitable models, store the KYC profile and suitability records."""
    parsed = onboarding.load_application(application)
    store = open_store(db, create=False)
    done = onboarding.onboard(store, parsed, users.acting_user(store, _user(user)))
    a = done.assessment
    if as_json:
        json.dump({"household": done.household_id, "models": done.models,
                   "override_reason": done.override_reason,
                   "suitability_ids": list(done.suitability_ids), "assessment": a.as_dict()},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    capped = f", capped by {a.capped_by}" if a.capped_by else ""
    console.print(f"household {done.household_id} onboarded: risk score {a.risk_score}"
                  f"{capped}; recommended model {a.recommended_model}")
    for account, model in done.models.items():
        console.print(f"  {account}: {model}")
    if done.override_reason:
        console.print(f"[yellow]suitability overridden:[/] {done.override_reason}")


def _questions_table(q: Questionnaire) -> Table:
    table = Table(title=f"questionnaire {q.name} {q.version}")
    for column in ("question", "dimension", "weight", "option", "points", "text"):
        table.add_column(column)
    for question in q.questions:
        table.add_row(question.id, question.dimension.value, f"{question.weight:g}", "", "",
                      question.text)
        for option in question.options:
            table.add_row("", "", "", option.id, f"{option.points:g}", option.text)
    return table


@questionnaire_app.command("show")
def show_cmd(db: Db = None, as_json: Json = False) -> None:
    """Print the questionnaire in force: questions, options and points, bands, models."""
    q = onboarding.questionnaire(open_store(db, create=False))
    if as_json:
        json.dump({"version": q.version, **q.model_dump(mode="json")}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    console.print(_questions_table(q))
    for dimension, bands in q.bands.items():
        console.print(f"{dimension.value}: " + ", ".join(
            f"from {b.min_points:g} points → {b.score}" for b in bands))
    console.print("risk score = attitude, capped by capacity and horizon; models: " + ", ".join(
        f"{s} → {m}" for s, m in sorted(q.models.items())))


@questionnaire_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="Questionnaire YAML file.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit journal).")],
    user: User = None, db: Db = None,
) -> None:
    """Bring a questionnaire into force (compliance role)."""
    store = open_store(db, create=False)
    q, new = onboarding.import_questionnaire(store, file.read_text(encoding="utf-8"),
                                             user=users.acting_user(store, _user(user)),
                                             reason=reason)
    console.print(f"questionnaire {q.name} {q.version} " + ("stored and in force" if new
                                                            else "in force again"))
