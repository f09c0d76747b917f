"""`hocba demo`: the product's main job, end to end, on fictional data.

The Department deploys (or finds) the registry and appoints a commune committee
as accreditor. The commune accredits a school and adds its signing key. The
school imports four class spreadsheets, issues every transcript, anchors each
class in one transaction and writes the PDFs. Then a verifier checks four
documents: an untouched PDF (valid), a copy with one score changed (tampered),
a revoked student's PDF (revoked) and a PDF of a second school whose
accreditation the commune withdrew with a cut-off before it anchored
(issuer_not_accredited).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlmodel import Session, select

from hocba.db import IssuerRecord
from hocba.instance import Instance
from hocba.registry import RegistryClient, RevocationReason
from hocba.settings import RegistryRef, load_settings
from hocba.status import Status
from issuer.accreditation import (
    DEPARTMENT_KEY,
    SchoolRegistration,
    accreditor_key_name,
    appoint_accreditor,
    load_school_signer,
    register_school,
    withdraw_school,
)
from issuer.curriculum import load_curriculum
from issuer.importer import read_class_csv
from issuer.issuance import AnchoredBatch, SchoolSigner, anchor_batch, prepare_batch, write_pdfs
from issuer.revocation import revoke_credential
from scripts.sample_data import (
    MAIN_SCHOOL,
    WITHDRAWN_SCHOOL,
    SampleSchool,
    generate_school,
    generate_withdrawn_school,
    write_school,
)
from verifier.engine import VerifierContext
from verifier.inputs import verify_path

__all__ = ["print_summary", "run_demo"]

COMMUNE_UNIT_CODE = "27010"
COMMUNE_NAME = "UBND xã Phú Hòa Đông"
SAMPLE_SEED = 2026
SCHOOL_YEAR = "2025-2026"


class _Stages:
    """Wall-clock time per stage, for the summary."""

    def __init__(self, console: Console | None) -> None:
        self.seconds: dict[str, float] = {}
        self.console = console

    @contextmanager
    def stage(self, name: str, label: str) -> Iterator[None]:
        if self.console:
            self.console.print(f"[cyan]→[/cyan] {label}")
        started = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 3)


def run_demo(*, chain: str = "embedded", out_dir: Path = Path("out/demo"),
             home: Path | None = None, progress: Console | None = None) -> dict[str, Any]:
    """Run the demo and return its summary (also written to ``out_dir/summary.json``)."""
    out_dir = out_dir.resolve()
    stages = _Stages(progress)
    if chain == "embedded":
        # The embedded chain lives only in this process, so its database is fresh too.
        home = out_dir / "instance"
        shutil.rmtree(home, ignore_errors=True)
    for folder in ("csv", "pdf", "verify"):
        shutil.rmtree(out_dir / folder, ignore_errors=True)
    instance = Instance(load_settings(home), chain_choice=chain)

    with stages.stage("setup", "Thiết lập Sở, xã và trường trên sổ đăng ký / registry set-up"):
        _ensure_registry(instance)
        main_signer = _ensure_school(instance, MAIN_SCHOOL)

    with stages.stage("generate", "Tạo dữ liệu mẫu / generating sample data"):
        csv_paths = write_school(MAIN_SCHOOL, generate_school(SAMPLE_SEED, SCHOOL_YEAR),
                                 out_dir / "csv")

    curriculum = load_curriculum()
    batches: list[AnchoredBatch] = []
    pdfs: dict[str, list[Path]] = {}
    for path in csv_paths:
        with stages.stage("import", f"Nhập {path.name} / importing"):
            class_records = read_class_csv(path, curriculum)
        with stages.stage("sign", f"Ký {len(class_records.students)} học bạ lớp "
                                  f"{class_records.class_name} / signing"):
            prepared = prepare_batch(class_records, main_signer, curriculum=curriculum)
        with stages.stage("anchor", f"Ghi nhận lớp {class_records.class_name} lên chuỗi khối / "
                                    "anchoring"):
            batch = anchor_batch(prepared, main_signer, registry=instance.registry,
                                 engine=instance.engine)
        with stages.stage("pdf", f"Tạo PDF lớp {class_records.class_name} / rendering PDFs"):
            pdfs[batch.label] = write_pdfs(
                batch, out_dir / "pdf" / MAIN_SCHOOL.slug / class_records.class_name,
                verify_base_url=instance.settings.verify_base_url,
                issued_on=datetime.now(UTC).date(), engine=instance.engine)
        batches.append(batch)

    cases = _make_cases(instance, batches, pdfs, out_dir, stages)
    outcomes = _verify_cases(instance, cases, stages)

    credentials = sum(len(batch.credentials) for batch in batches)
    gas = [batch.tx.gas_used for batch in batches]
    summary = {
        "chain": {"kind": chain, "chainId": instance.chain.chain_id,
                  "registry": instance.registry.address},
        "counts": {"schools": 2, "classes": len(batches), "credentials": credentials,
                   "pdfs": sum(len(paths) for paths in pdfs.values())},
        "batches": [{"label": batch.label, "size": len(batch.credentials),
                     "root": "0x" + batch.root.hex(), "block": batch.tx.block_number,
                     "gasUsed": batch.tx.gas_used,
                     "gasPerCredential": round(batch.tx.gas_used / len(batch.credentials), 1)}
                    for batch in batches],
        "gas": {"perBatchMean": round(sum(gas) / len(gas)),
                "perCredential": round(sum(gas) / credentials, 1)},
        "secondsPerStage": stages.seconds,
        "outDir": str(out_dir),
        "verified": outcomes,
        "expectedOutcomesMet": all(item["status"] == item["expected"] for item in outcomes),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    return summary


def _ensure_registry(instance: Instance) -> None:
    """Deploy the registry (embedded chain) or use the local node's, and the commune accreditor."""
    keys = instance.keys
    department = keys.account(DEPARTMENT_KEY, create=True)
    chain = instance.chain
    if chain.kind == "embedded":
        chain.fund(department.address)
        instance.use_registry(RegistryClient.deploy(chain, department).address)
    registry = instance.registry
    accreditor_name = accreditor_key_name(COMMUNE_UNIT_CODE)
    if not keys.has(accreditor_name) or not registry.accreditor(
            keys.account(accreditor_name).address)["appointedBlock"]:
        appoint_accreditor(keys, registry, admin_unit_code=COMMUNE_UNIT_CODE, name=COMMUNE_NAME)


def _ensure_school(instance: Instance, school: SampleSchool, *,
                   code_suffix: str = "") -> SchoolSigner:
    code = school.school_code + code_suffix
    with Session(instance.engine) as db:
        known = db.exec(select(IssuerRecord).where(IssuerRecord.school_code == code)).first()
    if known is not None and known.registry_address == instance.registry.address:
        return load_school_signer(instance.keys, instance.engine, code,
                                  principal=school.principal)
    registration = SchoolRegistration(code, COMMUNE_UNIT_CODE, school.name, school.principal)
    return register_school(instance.keys, instance.registry, instance.engine, registration,
                           accreditor_unit_code=COMMUNE_UNIT_CODE)


def _make_cases(instance: Instance, batches: list[AnchoredBatch], pdfs: dict[str, list[Path]],
                out_dir: Path, stages: _Stages) -> list[dict[str, Any]]:
    """Prepare the four documents a verifier checks, with their expected statuses."""
    from scripts.demo_documents import tampered_copy

    case_dir = out_dir / "verify"
    case_dir.mkdir(parents=True, exist_ok=True)
    first_class = pdfs[batches[0].label]

    valid_pdf = first_class[0]
    tampered_pdf = tampered_copy(first_class[1], case_dir / "diem-da-bi-sua.pdf")

    revoked_item = batches[-1].credentials[2]
    revoked_pdf = pdfs[batches[-1].label][2]
    with stages.stage("revoke", "Thu hồi một học bạ / revoking one transcript"):
        revoke_credential(instance.keys, instance.registry, instance.engine,
                          credential_id=revoked_item.credential_id,
                          reason_code=RevocationReason.ISSUED_IN_ERROR,
                          reason="Cấp nhầm (demo)")

    with stages.stage("withdrawn", "Trường thứ hai bị rút công nhận / second school withdrawn"):
        withdrawn_pdf = _withdrawn_school_pdf(instance, out_dir)

    return [
        {"file": str(valid_pdf), "case": "untouched", "expected": Status.VALID.value},
        {"file": str(tampered_pdf), "case": "score_changed", "expected": Status.TAMPERED.value},
        {"file": str(revoked_pdf), "case": "revoked", "expected": Status.REVOKED.value},
        {"file": str(withdrawn_pdf), "case": "withdrawn_school",
         "expected": Status.ISSUER_NOT_ACCREDITED.value},
    ]


def _withdrawn_school_pdf(instance: Instance, out_dir: Path) -> Path:
    """Issue one class of the second school, then withdraw it from before that anchoring."""
    with Session(instance.engine) as db:
        earlier = db.exec(select(IssuerRecord).where(
            IssuerRecord.school_code.startswith(WITHDRAWN_SCHOOL.school_code))).all()
    suffix = f"-{len(earlier) + 1}" if earlier else ""
    signer = _ensure_school(instance, WITHDRAWN_SCHOOL, code_suffix=suffix)
    accredited_from = instance.registry.issuer(signer.account.address)["accreditedFrom"]

    curriculum = load_curriculum()
    class_records = generate_withdrawn_school(SAMPLE_SEED, SCHOOL_YEAR)[0]
    prepared = prepare_batch(class_records, signer, curriculum=curriculum)
    batch = anchor_batch(prepared, signer, registry=instance.registry, engine=instance.engine)
    paths = write_pdfs(batch, out_dir / "pdf" / WITHDRAWN_SCHOOL.slug / class_records.class_name,
                       verify_base_url=instance.settings.verify_base_url,
                       issued_on=datetime.now(UTC).date(), engine=instance.engine)
    # Fraud found later: the accreditation is cut off from the block after it began,
    # which lies before the block in which the school anchored.
    withdraw_school(instance.keys, instance.registry, instance.engine,
                    school_code=signer.identity.school_code,
                    accreditor_unit_code=COMMUNE_UNIT_CODE,
                    cutoff_block=int(accredited_from) + 1,
                    reason="Phát hiện gian lận hồ sơ (demo)")
    return paths[0]


def _verify_cases(instance: Instance, cases: list[dict[str, Any]],
                  stages: _Stages) -> list[dict[str, Any]]:
    chain = instance.chain
    settings = instance.settings.with_trusted(RegistryRef(chain.chain_id,
                                                          instance.registry.address))
    context = VerifierContext(settings, chains={chain.chain_id: chain})
    outcomes = []
    with stages.stage("verify", "Xác thực bốn văn bản / verifying four documents"):
        for case in cases:
            result = verify_path(Path(case["file"]), context,
                                 lookup=instance.lookup_credential,
                                 allowed_origins=[settings.verify_base_url])
            outcomes.append({**case, "status": result.status.value,
                             "checks": [check.code for check in result.checks
                                        if not check.passed]})
    return outcomes


def print_summary(summary: dict[str, Any], console: Console) -> None:
    """Print the demo summary in Vietnamese with English beside it."""
    counts = summary["counts"]
    console.print(f"\n[bold]Kết quả / Summary[/bold] — chuỗi / chain {summary['chain']['kind']} "
                  f"(id {summary['chain']['chainId']}), sổ đăng ký / registry "
                  f"{summary['chain']['registry']}")
    console.print(f"{counts['classes']} lớp / classes, {counts['credentials']} học bạ / "
                  f"credentials, {counts['pdfs']} PDF → {summary['outDir']}")
    gas = Table("Lô / Batch", "Số HS / Size", "Khối / Block", "Gas", "Gas/HS")
    for batch in summary["batches"]:
        gas.add_row(batch["label"], str(batch["size"]), str(batch["block"]),
                    str(batch["gasUsed"]), str(batch["gasPerCredential"]))
    console.print(gas)
    stages = Table("Giai đoạn / Stage", "Giây / Seconds")
    for name, seconds in summary["secondsPerStage"].items():
        stages.add_row(name, f"{seconds:.2f}")
    console.print(stages)
    outcomes = Table("Tệp / File", "Mong đợi / Expected", "Kết quả / Status")
    for item in summary["verified"]:
        colour = "green" if item["status"] == item["expected"] else "red"
        outcomes.add_row(Path(item["file"]).name, item["expected"],
                         f"[{colour}]{item['status']}[/{colour}]")
    console.print(outcomes)
    if summary["expectedOutcomesMet"]:
        console.print("[green]Cả bốn kết quả đúng như mong đợi / all four outcomes as "
                      "expected[/green]")
    else:
        console.print("[red]Có kết quả khác mong đợi / an outcome differs from the expected "
                      "one[/red]")
