from . import med_release_batch
