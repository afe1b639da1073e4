"""Print a trained model's tags for a few paragraphs in several languages: `python training/show_predictions.py [DIR]`."""
import sys

from eventclf import EventClassifier

EXAMPLES = [
    "Insurgents overran the airbase at dawn and freed dozens of prisoners held in its cells.",
    "A car bomb tore through the vegetable market in the old town on Friday evening.",
    "The council of senior scholars issued a ruling that forbids joining the militia.",
    "The foreign minister launched a charm offensive in the Gulf ahead of the summit.",
    "Engineers defused a device found under the bridge before it could go off.",
    "سيطرت فصائل المعارضة على القاعدة الجوية بعد معارك عنيفة استمرت ثلاثة أيام.",
    "أصدرت دار الإفتاء فتوى تحرّم القتال إلى جانب الميليشيات.",
    "Les forces armées ont lancé une vaste offensive contre les positions jihadistes au nord de Mopti.",
    "Un ataque con drones alcanzó un convoy militar cerca de la frontera.",
    "Taraflar arasında varılan anlaşma kapsamında 40 tutuklu serbest bırakıldı.",
    "Боевики захватили блокпост на трассе после ночного боя.",
    "Die Bundesregierung kündigte neue Hilfen für Flüchtlinge in der Region an.",
    # the registers of corpus v2: the event named last, title-case headlines, look-alike non-events
    "Officials in the provincial capital said 14 people, among them three policemen, died on Sunday evening when a "
    "minibus packed with explosives blew up beside the bus station.",
    "Religious Affairs Council Declares Payment Of Militia Levies Forbidden",
    "Firefighters said a leaking gas line caused the blast that brought down part of the bakery, injuring six.",
    "The defence ministry said two armoured brigades had moved to the southern border and reservists were called up.",
]


def main(folder: str = "runs/default") -> None:
    clf = EventClassifier.from_pretrained(folder)
    for text, pred in zip(EXAMPLES, clf.predict(EXAMPLES)):
        tags = ", ".join(f"{name} {pred.scores[name]:.2f}" for name in pred.labels) or "no event"
        print(f"{tags:<38} | {text[:90]}")


if __name__ == "__main__":
    main(*sys.argv[1:])
