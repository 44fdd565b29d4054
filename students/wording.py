"""The written agreement's shipped wording in English and Spanish: the admin console's rows start from it
(migration 0010), and an agreement falls back on it for a language with no row."""

WORDING = {
    "en": {
        "title": "Independent study written agreement",
        "delivery": (
            "$student meets with the supervising teacher, $teacher, at $site at least once a week. Work is "
            "handed in at those meetings or through the class's online folder. The teacher reports progress "
            "to the student at every meeting and contacts the family at least every two weeks, by phone, "
            "text or email, in the family's language."
        ),
        "objectives": (
            "The student completes the courses listed in this agreement ($credits credits) between $begins "
            "and $ends ($days instructional days), following each course's outline: reading, written "
            "assignments, projects and tests set by the teacher, with weekly goals agreed at each meeting."
        ),
        "evaluation": (
            "The supervising teacher evaluates every piece of work and records a grade or mark and the "
            "time value it is worth. Only work evaluated by a certificated teacher earns attendance credit "
            "and course credit."
        ),
        "resources": (
            "The program lends textbooks and materials, a laptop and an internet hot spot when the student "
            "needs them. The teacher, tutors and the site counselor are available during site hours."
        ),
        "supports": (
            "The student receives the supports they are entitled to, including language support, "
            "accommodations under any individual plan, and counseling, as arranged with the teacher and "
            "counselor."
        ),
        "policy": (
            "The longest time allowed between an assignment and its due date is $max_days_to_due school "
            "days. Satisfactory progress means completing and handing in the assigned work on time with a "
            "passing evaluation. When $missed_for_review assignments are missed, the teacher evaluates "
            "whether independent study is still in the student's best interest, and the family is told."
        ),
        "voluntary": (
            "Independent study is voluntary. The student may return to classroom instruction at any time "
            "by telling the teacher; the family may ask for this too."
        ),
    },
    "es": {
        "title": "Acuerdo escrito de estudio independiente",
        "delivery": (
            "$student se reúne con su maestro supervisor, $teacher, en $site al menos una vez por semana. "
            "Los trabajos se entregan en esas reuniones o en la carpeta en línea de la clase. El maestro "
            "informa al estudiante de su progreso en cada reunión y se comunica con la familia al menos cada "
            "dos semanas, por teléfono, mensaje de texto o correo electrónico, en el idioma de la familia."
        ),
        "objectives": (
            "El estudiante completa los cursos de este acuerdo ($credits créditos) entre el $begins y el "
            "$ends ($days días de instrucción), siguiendo el programa de cada curso: lecturas, tareas "
            "escritas, proyectos y exámenes que asigna el maestro, con metas semanales acordadas en cada "
            "reunión."
        ),
        "evaluation": (
            "El maestro supervisor evalúa cada trabajo y registra una calificación y el valor en tiempo que "
            "representa. Solo el trabajo evaluado por un maestro certificado otorga crédito de asistencia y "
            "crédito del curso."
        ),
        "resources": (
            "El programa presta libros y materiales, una computadora portátil y un punto de acceso a "
            "internet cuando el estudiante los necesita. El maestro, los tutores y el consejero del sitio "
            "están disponibles en el horario del sitio."
        ),
        "supports": (
            "El estudiante recibe los apoyos a los que tiene derecho, incluidos apoyo con el idioma, "
            "adaptaciones según cualquier plan individual y consejería, según lo acordado con el maestro y "
            "el consejero."
        ),
        "policy": (
            "El plazo máximo entre la asignación de un trabajo y su fecha de entrega es de $max_days_to_due "
            "días escolares. El progreso satisfactorio consiste en completar y entregar a tiempo los "
            "trabajos asignados con una evaluación aprobatoria. Cuando se dejan de entregar "
            "$missed_for_review trabajos, el maestro evalúa si el estudio independiente sigue siendo lo "
            "mejor para el estudiante, y se informa a la familia."
        ),
        "voluntary": (
            "El estudio independiente es voluntario. El estudiante puede volver a la instrucción en el aula "
            "en cualquier momento avisando al maestro; la familia también puede pedirlo."
        ),
    },
}
