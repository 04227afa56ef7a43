"""Factories for tests: build organisations, people and memberships without fixture files."""

import factory
from allauth.mfa.models import Authenticator

from weerbaar.accounts import crypto
from weerbaar.accounts.models import User
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership, Organisation, Sector

TEST_PASSWORD = "correct-horse-battery-staple-42"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sector(code: str) -> Sector:
    # get_or_create: transactional tests (live server, browser) flush the rows data migrations made.
    return Sector.objects.get_or_create(code=code)[0]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the built object
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Stichting Onderwijs {n}")
    kind = OrganisationKind.SCHOOL_BOARD
    sector = factory.LazyFunction(lambda: sector("PO"))
    board_number = factory.Sequence(lambda n: f"{10000 + n:05d}")
    student_count = 1200


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.IBP_OFFICER


def add_totp(user, secret: str = TOTP_SECRET) -> Authenticator:
    """Give a user a TOTP authenticator with a known secret (stored encrypted, as allauth would)."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": crypto.encrypt(secret)}
    )


def member(
    role: str = Role.IBP_OFFICER, organisation: Organisation | None = None, *, with_mfa: bool = True, **user_fields
) -> Membership:
    """A person with one role in one organisation (a new school board unless given)."""
    membership = MembershipFactory(
        role=role,
        organisation=organisation or OrganisationFactory(),
        user=UserFactory(**user_fields),
    )
    if with_mfa:
        add_totp(membership.user)
    return membership


def published_version(code: str = "TEST", label: str = "1", domains: dict[str, int] | None = None):
    """A small published, scored framework version: {domain code: number of norms}."""
    from weerbaar.frameworks.choices import VersionStatus
    from weerbaar.frameworks.models import Domain, Framework, FrameworkVersion, Norm

    domains = domains or {"GO": 2, "SM": 3}
    framework, _ = Framework.objects.get_or_create(code=code, defaults={"name_nl": f"Normenkader {code}"})
    version = FrameworkVersion.objects.create(
        framework=framework, label=label, status=VersionStatus.PUBLISHED, scored=True
    )
    position = 0
    for d_index, (domain_code, count) in enumerate(domains.items()):
        domain = Domain.objects.create(
            version=version, code=domain_code, title_nl=f"Domein {domain_code}", position=d_index
        )
        for n in range(1, count + 1):
            position += 1
            Norm.objects.create(
                version=version,
                domain=domain,
                code=f"{domain_code}.{n:02d}",
                title_nl=f"Norm {domain_code}.{n:02d}",
                statement_nl="Er is iets geregeld.",
                levels={str(level): {"nl": f"Niveau {level}", "en": f"Level {level}"} for level in range(1, 6)},
                position=position,
            )
    return version
