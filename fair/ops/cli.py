"""The `fair` command: a Flask CLI group with the design's subcommands.

`fair serve` must monkey-patch eventlet before anything else imports socket
or threading, so main() does that first, before the app is even imported.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from fair.organiser.privacy import DEFAULT_RETENTION_DAYS

DEMO_SEED = 2026


def run(create_app) -> None:
    """Build the Click group around the app factory (fair.entry.main passes fair.app.create_app:
    the app registers these commands, so this module does not import it)."""
    cli = FlaskGroup(name="fair", create_app=lambda: create_app(), add_default_commands=False,
                     add_version_option=False, load_dotenv=False, set_debug_flag=False,
                     help="Job-fair check-in and on-site matching.")
    cli.main(prog_name="fair")


def register_commands(app) -> None:
    for command in (init_command, demo_command, serve_command, import_group, cards_group,
                    device_group, export_command, organiser_group, backup_command, attendee_group,
                    retention_group, booth_group, occupations_group):
        app.cli.add_command(command)


def _echo_err(message: str) -> None:
    click.secho(message, fg="red", err=True)


# --- init ---------------------------------------------------------------------------------

@click.command("init")
@click.option("--name", default=None, help="The fair's name (first init only).")
@with_appcontext
def init_command(name: str | None) -> None:
    """Create or upgrade the database, the fair's signing keys and the organiser login."""
    from fair.ops import provision
    report = provision.initialise(name=name, progress=sys.stderr.isatty())
    click.echo(f"Database ready: {report.database}")
    click.echo(f"Fair: {report.fair_name}" + (" (created, new signing keys)" if report.fair_created else ""))
    if report.organiser_password:
        click.secho("Organiser login (shown once, write it down):", bold=True)
        click.echo(f"  user: {report.organiser_username}\n  password: {report.organiser_password}")
    else:
        click.echo(f"Organiser login exists: {report.organiser_username} "
                   "(reset with `fair organiser password`).")


# --- demo ---------------------------------------------------------------------------------

@click.command("demo")
@click.option("--attendees", default=2000, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--booths", default=60, show_default=True, type=click.IntRange(1, 500))
@click.option("--seed", default=DEMO_SEED, show_default=True, type=int)
@with_appcontext
def demo_command(attendees: int, booths: int, seed: int) -> None:
    """Fill a realistic demo fair (Thai and English). Running it again changes nothing."""
    from fair.ops import provision
    provision.initialise()
    report = provision.load_demo(attendees=attendees, booths=booths, seed=seed, progress=True)
    click.echo(f"Demo fair: {report['employers']} employers, {report['booths']} booths, "
               f"{report['jobs']} jobs, {report['attendees']} attendees "
               f"({report['added']} rows added now).")


# --- serve --------------------------------------------------------------------------------

@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--https", "use_https", is_flag=True, help="Serve TLS with this laptop's own CA (camera scanning).")
@with_appcontext
def serve_command(host: str, port: int, use_https: bool) -> None:
    """Run the server for phones on the venue network."""
    from fair.ops import serving
    app = current_app._get_current_object()
    try:
        serving.check_port_free(host, port)
    except OSError as exc:
        _echo_err(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. "
                  f"Is another `fair serve` running? Try --port {port + 1}.")
        sys.exit(1)
    from fair.web import cluster
    try:
        cluster.check_same_secrets(app)   # several workers: all must hold the first one's secrets
    except cluster.DifferentSecrets as exc:
        _echo_err(str(exc))
        sys.exit(1)
    except Exception as exc:   # redis.RedisError, OSError: say so in one line, no traceback
        _echo_err(f"Cannot reach the message queue {app.config.get('MESSAGE_QUEUE')}: {exc}")
        sys.exit(1)
    ssl_files = serving.ensure_tls(app, host) if use_https else None
    serving.print_banner(app, host, port, use_https)
    serving.run(app, host, port, ssl_files)


# --- import -------------------------------------------------------------------------------

@click.group("import")
def import_group() -> None:
    """Import attendees, employers or jobs from CSV (all or nothing)."""


def _import_kind(kind: str):
    @click.command(kind)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check every row, import nothing.")
    @click.option("--update", is_flag=True, help="Update rows whose ref already exists instead of refusing them.")
    @with_appcontext
    def command(file: Path, dry_run: bool, update: bool) -> None:
        from fair.loading import store
        report = store.import_file(kind, file.read_bytes(), dry_run=dry_run,
                                      on_existing="update" if update else "error", progress=True)
        _echo_problems(report.warnings, "warning")
        if report.errors:
            _echo_err(f"{file.name}: {len(report.errors)} error(s); nothing was imported "
                      "(fix these rows and run the import again).")
            _echo_problems(report.errors, "error")
            sys.exit(1)
        verb = "would import" if dry_run else "imported"
        warned = f" ({len(report.warnings)} warning(s) above: those values were left empty)" \
            if report.warnings else ""
        click.echo(f"{file.name}: {verb} {report.created} new and {report.updated} updated {kind}"
                   f" in {report.seconds:.1f} s{warned}.")
    command.__doc__ = f"Import {kind} from a CSV file (UTF-8, header row)."
    return command


def _echo_problems(problems, label: str) -> None:
    for problem in problems:
        column = f" [{problem.column}]" if problem.column else ""
        click.echo(f"  {label}: line {problem.line}{column}: {problem.message}", err=True)


for _kind in ("attendees", "employers", "jobs"):
    import_group.add_command(_import_kind(_kind))


# --- cards --------------------------------------------------------------------------------

@click.group("cards")
def cards_group() -> None:
    """Attendees' Smart Job Wallet cards."""


@cards_group.command("list")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: attendee_ref,name,manual_code,token")
@with_appcontext
def cards_list(as_csv: bool) -> None:
    """List every active card."""
    import csv
    from fair.loading import store
    from fair.organiser import exports
    rows = store.active_cards()
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["attendee_ref", "name", "manual_code", "token"])
        writer.writerows(exports.inert_row(row) for row in rows)  # names are typed by attendees
    else:
        for ref, name, manual, _token in rows:
            click.echo(f"{ref:<12} {manual:<11} {name}")


# --- devices ------------------------------------------------------------------------------

@click.group("device")
def device_group() -> None:
    """Pair and manage gate, booth, dashboard and integration devices."""


@device_group.command("pair")
@click.option("--gate", "gate_name", metavar="NAME")
@click.option("--booth", "booth_code", metavar="CODE", help="A booth code, or 'all' for every booth.")
@click.option("--dashboard", "dashboard_name", metavar="NAME")
@click.option("--api", "api_name", metavar="NAME")
@click.option("--name", "device_name", metavar="NAME", help="Device name for --booth (default: the booth code).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="The port `fair serve` listens on (default: what the running serve recorded).")
@click.option("--https", "use_https", is_flag=True, default=None, help="Links start with https://.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --booth all: where to write the links and tokens (default: instance/pairing-<time>.csv).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts; tokens included).")
@with_appcontext
def device_pair(gate_name, booth_code, dashboard_name, api_name, device_name, port, use_https, out,
                as_json) -> None:
    """Create device(s) and print their pairing link and token."""
    from fair.organiser import devices
    chosen = [(k, v) for k, v in (("gate", gate_name), ("booth", booth_code),
                                  ("dashboard", dashboard_name), ("api", api_name)) if v]
    if len(chosen) != 1:
        raise click.UsageError("Give exactly one of --gate NAME, --booth CODE|all, --dashboard NAME, --api NAME.")
    kind, value = chosen[0]
    every_booth = kind == "booth" and value.strip().lower() == "all"
    if out is not None and not every_booth:
        raise click.UsageError("--out goes with --booth all.")
    saved = {key: current_app.config.get(key) for key in ("PORT", "HTTPS")}
    note = _pairing_address(port, use_https)
    try:
        paired = devices.pair_from_cli(kind, value, device_name)
    except devices.PairingError as exc:
        _echo_err(str(exc))
        sys.exit(1)
    finally:
        for key, before in saved.items():   # the options name this command's links only
            if before is None:
                current_app.config.pop(key, None)
            else:
                current_app.config[key] = before
    if as_json:
        body = [p.as_json() for p in paired]
        click.echo(json.dumps(body if every_booth else body[0], ensure_ascii=False, indent=2))
        return
    if note:
        click.secho(note, fg="yellow", err=True)
    if every_booth:
        # Sixty tokens and single-use links scrolled through a terminal end up in its
        # scrollback and on screen for anyone passing: a file only this user reads instead.
        path = _write_pairing_file(paired, out)
        click.echo(f"Paired {len(paired)} booth phone(s); their links and tokens are in {path} "
                   "(readable by you only; delete it once the phones are paired).")
        sheets = paired[0].url.split("/pair/", 1)[0] if paired[0].url else devices.base_url()
        click.echo(f"Printable sheets with a QR per booth: {sheets}/organiser/booths/pairing-sheets")
        return
    for p in paired:
        label = f"{p.kind} {p.booth or ''} {p.name}".replace("  ", " ")
        click.secho(label, bold=True)
        if p.url:
            click.echo(f"  open on the device: {p.url}")
        click.echo(f"  token (for scanners and scripts, keep secret): {p.token}")


def _pairing_address(port: int | None, use_https: bool | None) -> str | None:
    """Point the links at the port phones will use; a warning when that is only a guess."""
    from fair.ops import serving
    if port is not None:
        current_app.config["PORT"] = port
    if use_https:
        current_app.config["HTTPS"] = True
    if port is not None or current_app.config.get("BASE_URL"):
        return None
    recorded = serving.served_address(current_app.instance_path)
    if recorded is None:
        return (f"No `fair serve` has run here yet: the links assume port {serving.DEFAULT_PORT}. "
                "Give --port PORT if the server uses another.")
    if not recorded["running"]:
        return (f"`fair serve` is not running now: the links use the port it used last ({recorded['port']}). "
                "Give --port PORT if the next one uses another.")
    return None


def _write_pairing_file(paired, out: Path | None) -> Path:
    import csv
    import io
    from fair.core import private_files
    from fair.core.timeutil import utcnow
    if out is None:
        folder = private_files.private_folder(Path(current_app.instance_path))
        out = folder / f"pairing-{utcnow():%Y%m%d-%H%M%S}.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["booth", "name", "link", "token"])
    writer.writerows([p.booth or "", p.name, p.url or "", p.token] for p in paired)
    private_files.write_private(out, buffer.getvalue().encode("utf-8"))
    return out


@device_group.command("list")
@with_appcontext
def device_list() -> None:
    """List devices: id, kind, booth, state, last seen (venue time) and name."""
    from fair.organiser import devices
    from fair.core.timeutil import format_venue
    from fair.web.dates import offset_hours
    states = devices.device_states()
    offset = offset_hours()
    if not states:
        click.echo("No devices yet: `fair device pair --gate NAME` (or the organiser's Devices page).")
        return
    click.echo(f"{'id':>4}  {'kind':<9} {'booth':<5} {'state':<8} {'last seen':<17} name")
    for row in states:
        d = row.device
        seen = format_venue(d.last_seen_at, "en", "datetime", offset) if d.last_seen_at else "never"
        click.echo(f"{d.id:>4}  {d.kind:<9} {(d.booth.code if d.booth else '-'):<5} {row.state:<8} {seen:<17} {d.name}")


@device_group.command("revoke")
@click.argument("device_id", type=int)
@with_appcontext
def device_revoke(device_id: int) -> None:
    """Revoke a device: its token and pairing stop working at once."""
    from fair.organiser import devices
    if not devices.revoke(device_id, actor="cli"):
        _echo_err(f"No device {device_id}.")
        sys.exit(1)
    click.echo(f"Device {device_id} revoked.")


# --- export -------------------------------------------------------------------------------

@click.command("export")
@click.argument("what", type=click.Choice(["leads", "checkins", "attendees", "attendance", "matches", "hires"]))
@click.option("--booth", "booth_code", metavar="CODE", help="Only this booth's leads.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="FILE.csv or FILE.xlsx, or a folder (default: here, named <fair>-<what>-<YYYYMMDD-HHMM>).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Without --out FILE: the file type (default xlsx).")
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", show_default=True,
              help="Language of the words in the file (education, next steps, yes/no).")
@with_appcontext
def export_command(what: str, booth_code: str | None, out: Path | None, fmt: str | None, lang: str) -> None:
    """Export leads, check-ins, attendees, attendance, recommendations or hires as CSV or XLSX."""
    from fair.organiser import exports
    if out is not None and not out.is_dir():
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise click.UsageError("--out must end in .csv or .xlsx (or name a folder)")
        if fmt and out.suffix.lower() != f".{fmt}":
            raise click.UsageError(f"--format {fmt} does not match {out.name}")
    else:
        out = (out or Path(".")) / exports.export_filename(what, fmt or "xlsx", booth_code)
    try:
        count = exports.export_to_file(what, out, booth_code=booth_code, actor="cli", lang=lang)
    except exports.ExportError as exc:
        _echo_err(str(exc))
        sys.exit(1)
    click.echo(f"Wrote {count} {what} to {out}")


# --- organisers ---------------------------------------------------------------------------

@click.group("organiser")
def organiser_group() -> None:
    """Organiser accounts."""


@organiser_group.command("password")
@click.option("--username", default="admin", show_default=True)
@with_appcontext
def organiser_password(username: str) -> None:
    """Set a new random password for an organiser and print it once."""
    from fair.ops import provision
    password = provision.reset_password(username)
    if password is None:
        _echo_err(f"No organiser {username!r}.")
        sys.exit(1)
    click.echo(f"user: {username}\npassword: {password}")


# --- backups and personal data (PDPA) -----------------------------------------------------

@click.command("backup")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the copy (default: instance/backups/fair-<time>.db; "
                   "on PostgreSQL fair-<time>.dump, pg_dump's custom format).")
@with_appcontext
def backup_command(out: Path | None) -> None:
    """Write a consistent copy of the live database (safe while `fair serve` runs).

    SQLite: a copy of the file. PostgreSQL: pg_dump of the server's major version (restore
    with pg_restore)."""
    from fair.organiser import backup
    try:
        report = backup.backup_database(out, actor="cli")
    except backup.BackupError as exc:
        _echo_err(str(exc))
        sys.exit(1)
    click.echo(f"Backup written: {report.path} ({report.bytes / 1e6:.1f} MB in {report.seconds:.2f} s)")


@click.group("attendee")
def attendee_group() -> None:
    """One attendee's personal data: erase it, or export it for them."""


@attendee_group.command("erase")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def attendee_erase(ref: str, yes: bool) -> None:
    """Erase an attendee's personal data (PDPA request); anonymous counts stay."""
    from fair.organiser import privacy
    from fair.core.fairs import ensure_fair
    fair, _ = ensure_fair()
    attendee = privacy.attendee_by_ref(fair.id, ref)
    if attendee is None:
        _echo_err(f"No attendee {ref!r}.")
        sys.exit(1)
    if not yes:
        click.confirm(f"Erase the personal data of {ref}? This cannot be undone.", abort=True)
    report = privacy.erase_attendee(attendee, actor="cli")
    if report.already_erased:
        click.echo(f"{ref} was already erased." + (" The write-ahead log is still busy." if report.wal_emptied is False
                                                  else ""))
        return
    click.echo(f"Erased {ref}: {report.cards_revoked} card(s) revoked, {report.leads_scrubbed} lead(s) "
               f"scrubbed, {report.checkins_kept} check-in(s) kept anonymously.")
    _echo_erasure_reach(report)


def _echo_erasure_reach(report) -> None:
    """Say plainly what the erasure reached and what it cannot reach."""
    from fair.organiser import privacy
    click.echo(f"Audit log: {report.audit_rows_scrubbed} earlier row(s) now name them attendee:#{report.attendee_id}.")
    click.echo("A running `fair serve` drops them from the hall within a few seconds.")
    if report.wal_emptied is False:
        click.echo("The database's write-ahead log was busy and is not emptied yet: run "
                   f"`fair attendee erase {privacy.ERASED_REF_PREFIX}{report.attendee_id}` again later to finish it.")
    if report.backups_before:
        click.secho(f"NOT erased: {len(report.backups_before)} backup(s) made before still hold their data. "
                    "Delete them or restore-and-erase them:", fg="yellow", bold=True)
        for copy in report.backups_before:
            state = "" if copy.exists else "  (not found here: moved, deleted, or on another disk?)"
            click.echo(f"  {copy.at:%Y-%m-%d %H:%M} UTC  {copy.path}{state}")
    else:
        click.echo("No backups on record from before this erasure.")
    if report.exports_before:
        click.secho(f"NOT erased: {report.exports_before} export(s) made before (CSV/XLSX files) may hold their "
                    "data; those files are out of the fair's reach.", fg="yellow")


@attendee_group.command("export")
@click.argument("ref")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def attendee_export(ref: str, out: Path) -> None:
    """Write everything held about an attendee to a JSON file (their PDPA access request)."""
    from fair.organiser import privacy
    from fair.core.fairs import ensure_fair
    fair, _ = ensure_fair()
    attendee = privacy.attendee_by_ref(fair.id, ref)
    if attendee is None:
        _echo_err(f"No attendee {ref!r}.")
        sys.exit(1)
    from fair.core import private_files
    data = json.dumps(privacy.export_my_data(attendee, actor="cli"), ensure_ascii=False, indent=2)
    private_files.write_private(out, data.encode("utf-8"))
    click.echo(f"Wrote {out}")


@attendee_group.command("id-claims")
@with_appcontext
def attendee_id_claims() -> None:
    """Registrations that typed a national ID another attendee already holds."""
    from fair.checkin.services import national_id_claims
    from fair.core.fairs import ensure_fair
    fair, _ = ensure_fair()
    claims = national_id_claims(fair.id)
    if not claims:
        click.echo("No national-ID claims to resolve.")
        return
    click.echo(f"{'claimant':<12} {'registered':<20} {'holder':<12} holder registered")
    for claimant, holder in claims:
        click.echo(f"{claimant.ref:<12} {claimant.created_at:%Y-%m-%d %H:%M}     "
                   f"{holder.ref if holder else '-':<12} "
                   f"{f'{holder.created_at:%Y-%m-%d %H:%M}' if holder else '(nobody now)'}")
    click.echo("Check the claimant's ID card, then: fair attendee resolve-claim REF --give | --dismiss")


@attendee_group.command("resolve-claim")
@click.argument("ref")
@click.option("--give", "give", flag_value=True, default=None,
              help="The ID card is the claimant's: move the ID to them (the holder loses it).")
@click.option("--dismiss", "give", flag_value=False, help="The claim is wrong: drop it.")
@with_appcontext
def attendee_resolve_claim(ref: str, give: bool | None) -> None:
    """Resolve a national-ID claim after seeing the claimant's ID card (audited)."""
    from fair.organiser import privacy
    from fair.checkin.services import resolve_national_id_claim
    from fair.core.fairs import ensure_fair
    if give is None:
        _echo_err("Say --give (the ID is the claimant's) or --dismiss.")
        sys.exit(2)
    fair, _ = ensure_fair()
    attendee = privacy.attendee_by_ref(fair.id, ref)
    if attendee is None or attendee.national_id_claim_hash is None:
        _echo_err(f"{ref!r} has no national-ID claim (see: fair attendee id-claims).")
        sys.exit(1)
    resolve_national_id_claim(attendee, give, actor="cli")
    click.echo(f"{ref} now holds that national ID." if give else f"The claim of {ref} was dismissed.")


@click.group("retention")
def retention_group() -> None:
    """Personal data retention after the fair."""


@retention_group.command("purge")
@click.option("--older-than-days", "days", default=DEFAULT_RETENTION_DAYS, show_default=True, type=click.IntRange(0, 3650),
              help="Erase attendees with no activity for this many days.")
@click.option("--dry-run", is_flag=True, help="Only count who would be erased.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def retention_purge(days: int, dry_run: bool, yes: bool) -> None:
    """Erase the personal data of every attendee inactive for N days (same path as `attendee erase`)."""
    from fair.organiser import privacy
    from fair.core.fairs import ensure_fair
    fair, _ = ensure_fair()
    due = privacy.due_for_purge(fair.id, days)
    if dry_run:
        click.echo(f"{len(due)} attendee(s) would be erased (inactive for {days} days or more).")
        return
    if due and not yes:
        click.confirm(f"Erase the personal data of {len(due)} attendee(s)? This cannot be undone.", abort=True)
    count = privacy.purge_personal_data(fair.id, days, actor="cli")
    click.echo(f"Erased the personal data of {count} attendee(s); anonymous counts are kept.")


# --- a booth's own questions --------------------------------------------------------------

@click.group("booth")
def booth_group() -> None:
    """Booth settings: the booth's own questions to every candidate."""


@booth_group.group("question")
def booth_question_group() -> None:
    """Up to five questions a booth asks every candidate (text, yes/no, choice)."""


def _booth_or_exit(code: str):
    from fair.booths import services
    from fair.core.fairs import ensure_fair
    fair, _ = ensure_fair()
    booth = services.booth_by_code(fair.id, code)
    if booth is None:
        _echo_err(f"No booth {code!r}.")
        sys.exit(1)
    return booth


@booth_question_group.command("list")
@click.argument("code")
@with_appcontext
def booth_question_list(code: str) -> None:
    """The booth's questions with their ids."""
    from fair.booths import services
    booth = _booth_or_exit(code)
    questions = services.questions_of_booth(booth.id)
    if not questions:
        click.echo(f"Booth {booth.code} asks no questions of its own.")
    for q in questions:
        choices = f"  ({' / '.join(q.choices)})" if q.choices else ""
        click.echo(f"{q.id:>5}  {q.kind:<6}  {q.label}{choices}")


@booth_question_group.command("add")
@click.argument("code")
@click.argument("label")
@click.option("--kind", type=click.Choice(["text", "yesno", "choice"]), default="text", show_default=True)
@click.option("--choice", "choices", multiple=True, help="One choice (repeat, for --kind choice).")
@with_appcontext
def booth_question_add(code: str, label: str, kind: str, choices: tuple[str, ...]) -> None:
    """Add a question the booth's phones ask of every candidate (audited)."""
    from fair.booths import services
    from fair.web.errors import InvalidInput
    booth = _booth_or_exit(code)
    try:
        question = services.add_question(booth, label, kind, list(choices), actor="cli")
    except InvalidInput as exc:
        _echo_err(exc.message)
        sys.exit(1)
    click.echo(f"Booth {booth.code} now asks question {question.id}: {question.label}")


@booth_question_group.command("remove")
@click.argument("code")
@click.argument("question_id", type=int)
@with_appcontext
def booth_question_remove(code: str, question_id: int) -> None:
    """Stop asking a question; the answers already given stay in the leads and exports."""
    from fair.booths import services
    from fair.web.errors import InvalidInput
    booth = _booth_or_exit(code)
    try:
        services.remove_question(booth, question_id, actor="cli")
    except InvalidInput as exc:
        _echo_err(exc.message)
        sys.exit(1)
    click.echo(f"Booth {booth.code} no longer asks question {question_id}.")


# --- occupations (ISCO-08) ----------------------------------------------------------------

@click.group("occupations")
def occupations_group() -> None:
    """Job titles to ISCO-08 occupations (ESCO classification of the European Commission)."""


@occupations_group.command("classify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--column", default="title", show_default=True, help="The column holding the titles.")
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the result (default: FILE itself).")
@with_appcontext
def occupations_classify(file: Path, column: str, output: Path | None) -> None:
    """Add isco08,label_en,label_th,confidence columns to a CSV file of titles."""
    from fair.matching import services as matching
    from fair.organiser.exports import write_csv
    try:
        header, classified, found = matching.classify_csv(file.read_bytes(), column, progress=True)
    except matching.ClassifyFileError as exc:
        _echo_err(f"{file.name}: {exc}")
        sys.exit(1)
    data, rows = write_csv(header, classified), len(classified)
    target = output or file
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(target)  # a failure half-way never leaves half a file
    click.echo(f"{target}: {rows} rows, {found} with an ISCO-08 unit, {rows - found} unsure.")


@occupations_group.command("reclassify")
@click.option("--all", "everything", is_flag=True, help="Every job and attendee, not only those never classified.")
@with_appcontext
def occupations_reclassify(everything: bool) -> None:
    """Store the ISCO-08 code (and title embedding) of jobs and attendees that lack one."""
    from fair.core.fairs import ensure_fair
    from fair.matching import services as matching
    fair, _ = ensure_fair()
    counts = matching.reclassify(fair.id, everything=everything, progress=True)
    click.echo(f"Classified {counts['job']} job(s) and {counts['attendee']} attendee(s).")
