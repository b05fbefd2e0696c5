"""Writes a large synthetic credential report, deterministically.

    python python/bench/gen_report.py OUT.csv [--rows 1000000] [--seed 7]

The rows look like AWS's 22-column layout: many accounts (5,000 users each, the
IAM quota), a root row per account, users with no, one or two access keys,
active and inactive keys, rotation dates over the two years before
2026-11-26, last-used dates with regions and services, and both timestamp
forms AWS has written (``Z`` and ``+00:00``). Nothing is random at run time
beyond the seeded generator, so every run writes the same bytes.
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta, timezone

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,"
    "password_last_changed,password_next_rotation,mfa_active,"
    "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,"
    "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
AS_OF = datetime(2026, 11, 26, tzinfo=timezone.utc)
USERS_PER_ACCOUNT = 5000
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "N/A"]
SERVICES = ["s3", "sts", "ec2", "iam", "dynamodb", "lambda", "ecr", "sqs"]


def stamp(t: datetime, z: bool) -> str:
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    return text + ("Z" if z else "+00:00")


def key_fields(rng: random.Random, created: datetime, z: bool) -> list[str]:
    """The five cells of one access-key slot holding a key."""
    active = rng.random() < 0.85
    rotated = AS_OF - timedelta(seconds=rng.randrange(0, 730 * 86400))
    if rotated < created:
        rotated = created + timedelta(seconds=rng.randrange(0, 86400))
    if rng.random() < 0.2:
        used = ["N/A", "N/A", "N/A"]
    else:
        span = max(60, int((AS_OF - rotated).total_seconds()))
        at = rotated + timedelta(seconds=rng.randrange(0, span))
        at = at.replace(second=0)  # AWS keeps the minute only
        used = [stamp(at, z), rng.choice(REGIONS), rng.choice(SERVICES)]
    return ["true" if active else "false", stamp(rotated, z), *used]


EMPTY_SLOT = ["false", "N/A", "N/A", "N/A", "N/A"]


def rows(count: int, seed: int):
    rng = random.Random(seed)
    for i in range(count):
        account = f"{100000000000 + i // USERS_PER_ACCOUNT:012d}"
        z = rng.random() < 0.7
        created = AS_OF - timedelta(seconds=rng.randrange(86400, 3000 * 86400))
        if i % USERS_PER_ACCOUNT == 0:
            user, arn = "<root_account>", f"arn:aws:iam::{account}:root"
            password = ["not_supported", stamp(created + timedelta(days=3), z), "not_supported", "not_supported"]
        else:
            user = f"user-{i % USERS_PER_ACCOUNT:04d}.{rng.choice(['ci', 'svc', 'dev', 'ops'])}"
            path = rng.choice(["", "team-a/", "team-b/deploy/"])
            arn = f"arn:aws:iam::{account}:user/{path}{user}"
            if rng.random() < 0.4:
                changed = created + timedelta(days=1)
                password = ["true", stamp(changed + timedelta(days=5), z), stamp(changed, z), "N/A"]
            else:
                password = ["false", "N/A", "N/A", "N/A"]
        keys = rng.random()
        slot1 = key_fields(rng, created, z) if keys < 0.7 else EMPTY_SLOT
        slot2 = key_fields(rng, created, z) if keys < 0.25 else EMPTY_SLOT
        mfa = "true" if rng.random() < 0.5 else "false"
        yield ",".join([user, arn, stamp(created, z), *password, mfa, *slot1, *slot2, "false", "N/A", "false", "N/A"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADER + "\n")
        batch = []
        for row in rows(args.rows, args.seed):
            batch.append(row)
            if len(batch) == 10000:
                f.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            f.write("\n".join(batch) + "\n")


if __name__ == "__main__":
    main()
