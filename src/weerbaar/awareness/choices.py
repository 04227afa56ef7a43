from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Awareness campaign")
    TRAINING = "training", _("Training")
    PHISHING = "phishing", _("Phishing simulation")
    EXERCISE = "exercise", _("Crisis exercise")


class PeopleGroup(models.TextChoices):
    """Groups of people an activity reaches; the first six are the ones a crisis exercise names."""

    BOARD = "board", _("Board")
    SUPERVISORY_BOARD = "supervisory_board", _("Supervisory board")
    IBP = "ibp", _("IBP team")
    IT = "it", _("IT")
    COMMUNICATION = "communication", _("Communication")
    TEACHING_STAFF = "teaching_staff", _("Teaching staff")
    SUPPORT_STAFF = "support_staff", _("Support staff")
    STUDENTS = "students", _("Pupils and students")


EXERCISE_GROUPS = (
    PeopleGroup.BOARD,
    PeopleGroup.SUPERVISORY_BOARD,
    PeopleGroup.IBP,
    PeopleGroup.IT,
    PeopleGroup.COMMUNICATION,
    PeopleGroup.TEACHING_STAFF,
)


class TrainingFormat(models.TextChoices):
    ONLINE = "online", _("Online, self-paced")
    WEBINAR = "webinar", _("Webinar")
    CLASSROOM = "classroom", _("Classroom")
    BLENDED = "blended", _("Blended")


class ReminderKind(models.TextChoices):
    EXERCISE_DUE = "exercise_due", _("No crisis exercise for a year")
    TRAINING_REPEAT = "training_repeat", _("Training due for repeating")
