"""The spoken word: what the beats say and how it is heard. narration.py plays a beat's
sentences as it draws; spoken.py writes numbers as a voice reads them; voice.py picks and
runs the narrator (none, the offline piper voice, or recorded files); audio.py prepares
the sound (resampling, loudness); subtitles.py times the cues the chapters show.
"""
